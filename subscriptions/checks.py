from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, register


@register()
def check_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Production must name its PIN/PUK keys: a key derived from SECRET_KEY would silently
    hide every PIN the day the secret key changes."""
    keys = list(settings.FIELD_ENCRYPTION_KEYS or [])
    errors = []
    if not keys and not settings.DEBUG:
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEYS is not set.",
                hint="Generate a key with `manage.py generate_encryption_key` and set FIELD_ENCRYPTION_KEYS "
                "(comma separated; the first encrypts). See docs/security.md.",
                id="subscriptions.E001",
            )
        )
    for index, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(
                Error(
                    f"FIELD_ENCRYPTION_KEYS: key {index} is not a valid Fernet key.",
                    hint="A key is 32 url-safe base64-encoded bytes, as `manage.py generate_encryption_key` prints.",
                    id="subscriptions.E002",
                )
            )
    return errors
