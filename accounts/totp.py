"""Enrolling a known TOTP secret: for the demo's staff account and for tests, never for real users
(they scan their own secret on the security page)."""

import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import encrypt
from django.core.cache import cache

from accounts.models import User


def enrol(user: User, secret: str) -> Authenticator:
    """Gives the user a TOTP authenticator with this (base32) secret; safe to run again."""
    authenticator, _ = Authenticator.objects.update_or_create(
        user=user,
        type=Authenticator.Type.TOTP,
        defaults={"data": {"secret": encrypt(secret)}},
    )
    return authenticator


def current_code(secret: str, *, user: User | None = None) -> str:
    """The code an authenticator app shows now. With ``user``, forgets that the code was used,
    so a test can sign the same user in twice within one 30-second period."""
    counter = int(time.time()) // app_settings.TOTP_PERIOD
    code = format_hotp_value(hotp_value(secret, counter))
    if user is not None:
        cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")
    return code
