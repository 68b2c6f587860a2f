"""A port request's standard status reasons and system actors read in the reader's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from numbering.models import PortEvent, PortRequest
from numbering.reasons import localise_reason
from numbering.tests.factories import PortRequestFactory

pytestmark = pytest.mark.django_db


def test_standard_reasons_are_shown_in_the_readers_language():
    with translation.override("en"):
        assert localise_reason("Oprettet") == "Created"
        assert localise_reason("Indsendt") == "Submitted"
        assert localise_reason("Planlagt til 02.12.2026 10:00").startswith("Scheduled for 02.12.2026")
        assert localise_reason("Wrong customer number") == "Wrong customer number"  # typed by staff: as written
    with translation.override("da"):
        assert localise_reason("Created") == "Oprettet"
        assert localise_reason("Sent to the current operator") == "Sendt til det nuværende teleselskab"


@pytest.mark.parametrize(
    ("language", "shown", "hidden"), [("en", "Submitted", "Indsendt"), ("da", "Indsendt", ">Submitted")]
)
def test_the_timeline_speaks_the_readers_language(personas, login, language, shown, hidden):
    port = PortRequestFactory(company=personas.company_a, status=PortRequest.Status.SUBMITTED)
    # The demo data (and a Danish admin's request) store the reason in Danish; the operator's job in English.
    PortEvent.objects.create(port_request=port, new_status=PortRequest.Status.SUBMITTED, reason="Indsendt")
    PortEvent.objects.create(
        port_request=port,
        new_status=PortRequest.Status.PENDING,
        reason="Sent to the current operator",
        actor_label="demo",
    )
    personas.admin_a.language = language
    personas.admin_a.save(update_fields=["language"])
    page = login(personas.admin_a).get(reverse("numbers:port_detail", args=[port.pk])).content.decode()
    timeline = page.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert shown in timeline and hidden not in timeline
    assert ("demo data" if language == "en" else "demodata") in timeline
