"""Review of issue 18: what the designer saves is what the export's schema takes."""

import pytest

from numbering import export, flows
from numbering.models import CallFlowVersion
from numbering.tests.factories import CallFlowVersionFactory, SubscriptionFactory, flow_document
from numbering.tests.test_flow_designer import URL, page_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(personas):
    members = [SubscriptionFactory(company=personas.company_a).pk for _ in range(3)]
    return CallFlowVersionFactory(company=personas.company_a, version=1, document=flow_document(members))


def test_a_step_key_with_a_trailing_newline_is_not_saved(personas, login, flow):
    client = login(personas.admin_a)
    pairs = page_form(client.get(URL).content)
    pairs += [("steps", "note\n"), ("step-note\n-type", "announcement"), ("step-note\n-name", "N")]
    pairs += [("step-note\n-text", "Hi"), ("action", "save")]
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    response = client.post(URL, data)
    latest = CallFlowVersion.objects.filter(company=personas.company_a).order_by("-version").first()
    assert all("\n" not in key for key in latest.document["destinations"]), response.status_code


def test_a_key_with_a_trailing_newline_is_not_a_key():
    assert not flows.KEY_RE.match("menu\n")
    # The schema's patterns end in $ as in ECMA-262 (the platform's validators): the end of the text, not a
    # line's end before it.
    assert "flow.routes.open" in " ".join(export.problems({"flow": {"routes": {"open": "menu\n"}}}))


def test_the_plain_editor_stores_a_typed_forward_number_as_the_export_takes_it(personas, login):
    from django.urls import reverse

    from numbering.tests.test_flow_views import editor_data

    members = [SubscriptionFactory(company=personas.company_a).pk for _ in range(2)]
    data = editor_data(members, **{"dest-2-type": "forward", "dest-2-number": "20 12 34 56", "dest-2-email": ""})
    response = login(personas.admin_a).post(reverse("numbers:flow_edit"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    version = CallFlowVersion.all_companies.get()
    assert version.document["destinations"]["vm"]["number"] == "+4520123456"
    assert export.problems(export.export(version, company=personas.company_a, main_number=None)) == []
