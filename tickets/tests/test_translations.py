from django.utils import translation

from tickets.models import Status

# Completeness of the catalogue is checked for every app by portal/tests/test_translations.py.


def test_the_catalogue_is_used():
    with translation.override("da"):
        assert str(Status.PENDING.label) == "Afventer dig"
