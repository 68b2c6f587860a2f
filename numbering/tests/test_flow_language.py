"""The call flow pages name destinations, types and holidays in the reader's language, never by raw keys."""

import copy

import pytest
from django.urls import reverse

from numbering.models import CallFlowVersion
from numbering.tests.factories import SubscriptionFactory, flow_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions(personas):
    members = [SubscriptionFactory(company=personas.company_a).pk]
    old = flow_document(members)
    new = copy.deepcopy(old)
    new["routes"]["closed"] = "closed"
    new["destinations"]["helpdesk"] = {"type": "voicemail", "name": "Helpdesk", "email": "it@alfa.dk"}
    CallFlowVersion.objects.create(company=personas.company_a, version=1, document=old)
    return CallFlowVersion.objects.create(company=personas.company_a, version=2, document=new)


@pytest.mark.parametrize(
    ("language", "type_label", "route"),
    [("en", "Voicemail box", "When closed"), ("da", "Telefonsvarer", "Når der er lukket")],
)
def test_the_version_history_shows_names_and_labels_not_keys(versions, personas, login, language, type_label, route):
    personas.admin_a.language = language
    personas.admin_a.save(update_fields=["language"])
    page = login(personas.admin_a).get(reverse("numbers:flow_version", kwargs={"version_id": versions.pk}))
    changes = page.context["changes"]
    assert (route, "Svarer", "Lukket") in changes  # the destinations' names, not "voicemail" / "closed"
    shown = [after for _what, _before, after in changes]
    assert type_label in shown and "voicemail" not in shown  # the new destination's type by its label
    assert any("Helpdesk" in what for what, _before, _after in changes)  # named, not "helpdesk"


@pytest.mark.parametrize(("language", "holiday"), [("en", "Christmas Day"), ("da", "Juledag")])
def test_the_editor_names_holidays_in_the_readers_language(personas, login, language, holiday):
    personas.admin_a.language = language
    personas.admin_a.save(update_fields=["language"])
    page = login(personas.admin_a).get(reverse("numbers:flow_edit")).content.decode()
    assert holiday in page
