"""PIN and PUK are encrypted at rest with Fernet.

Keys come from ``settings.FIELD_ENCRYPTION_KEYS`` (a list; the first encrypts, all
decrypt, so keys can be rotated). In development, when the setting is empty, a key is
derived from SECRET_KEY so the demo works out of the box; production must set the
setting (see docs/subscriptions.md).
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = base64.urlsafe_b64encode(hashlib.sha256(b"subscriptions-pin-puk:" + secret_key.encode()).digest())
        keys = (derived.decode(),)
    return MultiFernet([Fernet(k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS or ()), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    if not value:
        return ""
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
