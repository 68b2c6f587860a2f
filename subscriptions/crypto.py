"""PIN and PUK are encrypted at rest with Fernet.

Keys come from ``settings.FIELD_ENCRYPTION_KEYS`` (a list; the first encrypts, all
decrypt, so keys can be rotated: see docs/security.md and ``manage.py rotate_encryption_keys``).
In development (DEBUG), when the setting is empty, a key is derived from SECRET_KEY so the demo
works out of the box; production refuses to start without explicit keys (subscriptions.checks).
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class UndecryptableSecret(Exception):
    """A stored token that none of the configured keys opens (a key was removed or changed)."""


def derived_dev_key(secret_key: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(b"subscriptions-pin-puk:" + secret_key.encode()).digest()).decode()


@cache
def _fernet(keys: tuple[str, ...], secret_key: str, debug: bool) -> MultiFernet:
    if not keys:
        if not debug:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when DJANGO_DEBUG is false")
        keys = (derived_dev_key(secret_key),)
    return MultiFernet([Fernet(k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS or ()), settings.SECRET_KEY, settings.DEBUG)


def encrypt(value: str) -> str:
    if not value:
        return ""
    return fernet().encrypt(value.encode()).decode()


def decrypt_strict(token: str) -> str:
    """The clear text, or UndecryptableSecret: for showing a clear error instead of a blank."""
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableSecret from None


def decrypt(token: str) -> str:
    try:
        return decrypt_strict(token)
    except UndecryptableSecret:
        return ""


def rotate(token: str) -> str:
    """The token re-encrypted with the first key (UndecryptableSecret when no key opens it)."""
    if not token:
        return ""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableSecret from None
