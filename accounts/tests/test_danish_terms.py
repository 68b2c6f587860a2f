"""One Danish word for password everywhere: "adgangskode" (allauth's own catalogue says "password")."""

import gettext
import re
from pathlib import Path

import allauth
from django.utils import translation

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")


def _says_password(text: str) -> bool:
    return "password" in PLACEHOLDER.sub("", text).lower()


def test_no_danish_text_from_allauth_says_password():
    catalogue = Path(allauth.__file__).parent / "locale" / "da" / "LC_MESSAGES" / "django.mo"
    with catalogue.open("rb") as stream:
        allauth_da = gettext.GNUTranslations(stream)
    # Singular messages only (plural forms are keyed by (msgid, n)); "context\x04msgid" for pgettext.
    msgids = [key for key, value in allauth_da._catalog.items() if isinstance(key, str) and _says_password(value)]  # type: ignore[attr-defined]
    assert msgids, "allauth's Danish catalogue changed: check this test"
    with translation.override("da"):
        shown = {
            key: translation.pgettext(*key.split("\x04", 1)) if "\x04" in key else translation.gettext(key)
            for key in msgids
        }
    assert [(key, text) for key, text in shown.items() if _says_password(text)] == []
