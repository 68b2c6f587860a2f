import re
from pathlib import Path

from django.utils import translation

from tickets.models import Status

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "da" / "LC_MESSAGES" / "django.po"


def test_every_string_has_a_danish_translation():
    entries = CATALOGUE.read_text(encoding="utf-8").split("\n\n")[1:]  # after the header
    assert entries
    untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""\s*$', e, re.M)]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert untranslated == []
    assert fuzzy == []


def test_the_catalogue_is_used():
    with translation.override("da"):
        assert str(Status.PENDING.label) == "Afventer dig"
