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


@pytest.mark.parametrize(
    "extra",
    [
        {"step-sales-add_member": "9" * 30},
        {"step-sales-members": "-5", "action": "up:sales:1"},
        {"action": "drop:sales:99999999999999999999999"},
        {"step-menu-timeout": "9" * 30, "action": "check"},
        {"step-sales-ring_time": "1e5", "action": "save"},
        {"entry-open": "x" * 5000, "action": "save"},
        {"step-menu-key_1": "menu\n", "action": "save"},
        {"action": "add:ivr", "step-menu-type": "ring_group"},
        {"action": "schedule", "schedule-date": "99999-01-01", "schedule-time": "25:00"},
        {"action": "schedule", "schedule-date": "0001-01-01", "schedule-time": "00:00"},
        {"action": "schedule", "schedule-date": "9999-12-31", "schedule-time": "23:59"},
    ],
)
def test_a_forged_designer_post_is_answered_not_a_500(personas, login, flow, extra):
    client = login(personas.admin_a)
    pairs = page_form(client.get(URL).content)
    data: dict[str, list[str]] = {}
    for name, value in [*pairs, *extra.items()]:
        data.setdefault(name, []).append(value)
    data.setdefault("action", ["check"])
    response = client.post(URL, data)
    assert response.status_code in (200, 302, 400)
    for version in CallFlowVersion.objects.filter(company=personas.company_a):
        assert export.problems(export.export(version, company=personas.company_a, main_number=None)) == []


SENT: list[int] = []


def record_sent(payload):
    SENT.append(payload["version"])


def test_an_older_version_provisioned_after_a_newer_one_does_not_replace_it(personas, settings, flow):
    """Two saves in quick succession; their tasks run out of order (two workers, a retry)."""
    from numbering.provisioning import provision

    settings.CALLFLOW_PLATFORM = "numbering.tests.test_flow_review.record_sent"
    SENT.clear()
    older = CallFlowVersionFactory(company=personas.company_a, version=2, document=flow.document)
    newer = CallFlowVersionFactory(company=personas.company_a, version=3, document=flow.document)
    provision(newer.pk)
    provision(older.pk)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.provisioning_status, newer.provisioning_status) == ("superseded", "active")
    assert SENT == [3]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1900-02-28"])
def test_a_test_call_on_a_far_date_is_answered_not_a_500(personas, login, flow, day):
    response = login(personas.admin_a).get("/numbers/flow/", {"date": day, "time": "23:59", "digits": "1"})
    assert response.status_code in (200, 400)
