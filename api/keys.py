"""API keys: ``sskey_<prefix>_<secret>``. The prefix finds the client, the secret is checked by hash.

The secret has 256 bits of randomness, so a fast hash (SHA-256) is as safe as a slow password hash
would be (nothing to brute-force) and costs microseconds per request; it is compared in constant time.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

SCHEME = "sskey"


@dataclass(frozen=True)
class NewKey:
    prefix: str
    secret: str

    @property
    def token(self) -> str:
        return f"{SCHEME}_{self.prefix}_{self.secret}"

    @property
    def secret_hash(self) -> str:
        return hash_secret(self.secret)


def new_key() -> NewKey:
    return NewKey(prefix=secrets.token_hex(6), secret=secrets.token_urlsafe(32))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse(token: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, else None."""
    scheme, _, rest = token.strip().partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != SCHEME or len(prefix) != 12 or not secret or len(secret) > 100:
        return None
    return prefix, secret


def matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
