"""Versions of the call flow: compare, schedule (a durable, idempotent change), roll back, provisioning."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from numbering import actions, callflow_schema, export, scheduling
from numbering.models import CallFlowVersion, ScheduledFlowChange
from numbering.tests.factories import CallFlowVersionFactory, SubscriptionFactory, flow_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_versions(personas):
    member = SubscriptionFactory(company=personas.company_a).pk
    first = CallFlowVersionFactory(company=personas.company_a, version=1, document=flow_document([member]))
    christmas = flow_document([member])
    christmas["routes"]["open"] = "closed"
    christmas["destinations"]["closed"]["text"] = "Glædelig jul."
    second = CallFlowVersionFactory(company=personas.company_a, version=2, document=christmas)
    return first, second


def test_two_versions_are_compared_in_words(personas, login, two_versions):
    response = login(personas.admin_a).get(reverse("numbers:flow_compare"), {"a": 1, "b": 2})
    assert response.status_code == 200
    rows = response.context["changes"]
    assert ("When open", "Menu", "Lukket") in rows
    assert any(what == "Destination “Lukket”: text" and after == "Glædelig jul." for what, _b, after in rows)


def test_comparing_another_companys_or_a_missing_version_is_refused(personas, login, two_versions):
    CallFlowVersionFactory(company=personas.company_b, version=7)
    client = login(personas.admin_a)
    assert client.get(reverse("numbers:flow_compare"), {"a": 1, "b": 7}).status_code == 400
    assert client.get(reverse("numbers:flow_compare"), {"a": "x"}).status_code == 400


def test_a_version_is_scheduled_and_takes_effect_once(personas, login, two_versions):
    first, _second = two_versions
    at = timezone.localtime() + datetime.timedelta(days=2)
    response = login(personas.admin_a).post(
        reverse("numbers:flow_schedule", kwargs={"version_id": first.pk}),
        {"date": at.date().isoformat(), "time": "06:00", "comment": "Efter jul"},
    )
    assert response.status_code == 302
    change = ScheduledFlowChange.objects.get(company=personas.company_a)
    assert change.status == "pending" and change.source_version == first
    assert AuditEvent.objects.filter(action="numbers.flow_change_scheduled", company=personas.company_a).exists()
    # Not yet due: the cron command leaves it.
    call_command("apply_flow_changes")
    change.refresh_from_db()
    assert change.status == "pending"
    later = change.take_effect_at + datetime.timedelta(minutes=1)
    assert scheduling.apply_due_changes(now=later) == 1
    assert scheduling.apply_due_changes(now=later) == 0  # the cron again, or the task after it: nothing more
    scheduling.apply_scheduled_change(change.pk, now=later)
    change.refresh_from_db()
    latest = CallFlowVersion.objects.filter(company=personas.company_a).order_by("-version").first()
    assert change.status == "applied" and change.result_version == latest
    assert latest.version == 3 and latest.document == first.document and latest.comment == "Efter jul"
    assert CallFlowVersion.objects.filter(company=personas.company_a).count() == 3
    assert AuditEvent.objects.filter(action="numbers.flow_change_applied", company=personas.company_a).count() == 1


def test_a_scheduled_flow_that_is_no_longer_valid_fails_with_its_reason(personas, actor, two_versions):
    first, _second = two_versions
    change = scheduling.schedule_call_flow(
        company=personas.company_a,
        document=first.document,
        at=timezone.now() + datetime.timedelta(hours=1),
        source=first,
        by=actor,
    )
    member = first.document["destinations"]["sales"]["members"][0]
    from subscriptions.models import Subscription

    Subscription.objects.unscoped().filter(pk=member).update(company=personas.company_b)  # no longer the company's
    scheduling.apply_due_changes(now=timezone.now() + datetime.timedelta(hours=2))
    change.refresh_from_db()
    assert change.status == "failed" and "not your company's" in change.reason
    assert CallFlowVersion.objects.filter(company=personas.company_a).count() == 2


def test_a_schedule_in_the_past_or_of_a_foreign_version_is_refused(personas, actor, two_versions):
    first, _second = two_versions
    with pytest.raises(ValidationError):
        scheduling.schedule_call_flow(
            company=personas.company_a, document=first.document, at=timezone.now(), source=first, by=actor
        )
    foreign = CallFlowVersionFactory(company=personas.company_b)
    with pytest.raises(ValidationError):
        scheduling.schedule_call_flow(
            company=personas.company_a,
            document=first.document,
            at=timezone.now() + datetime.timedelta(days=1),
            source=foreign,
            by=actor,
        )


def test_a_scheduled_change_is_cancelled_once_and_audited(personas, login, actor, two_versions):
    first, _second = two_versions
    change = scheduling.schedule_call_flow(
        company=personas.company_a,
        document=first.document,
        at=timezone.now() + datetime.timedelta(days=1),
        source=first,
        by=actor,
    )
    client = login(personas.admin_a)
    page = client.get(reverse("numbers:flow_versions"))
    assert b'data-testid="scheduled-change"' in page.content
    url = reverse("numbers:flow_schedule_cancel", kwargs={"change_id": change.pk})
    assert client.post(url).status_code == 302
    change.refresh_from_db()
    assert change.status == "cancelled"
    client.post(url)  # again: refused with a message, nothing changes
    assert AuditEvent.objects.filter(action="numbers.flow_change_cancelled", company=personas.company_a).count() == 1
    scheduling.apply_due_changes(now=timezone.now() + datetime.timedelta(days=2))
    assert CallFlowVersion.objects.filter(company=personas.company_a).count() == 2


def test_a_rollback_asks_first_then_rolls_back_on_post(personas, login, two_versions):
    first, _second = two_versions
    client = login(personas.admin_a)
    url = reverse("numbers:flow_rollback", kwargs={"version_id": first.pk})
    confirm = client.get(url)
    assert confirm.status_code == 200 and b'data-testid="confirm-rollback"' in confirm.content
    assert CallFlowVersion.objects.filter(company=personas.company_a).count() == 2
    assert client.post(url).status_code == 302
    assert AuditEvent.objects.filter(action="numbers.flow_rolled_back", company=personas.company_a).exists()


def test_every_saved_version_is_provisioned_and_the_previous_superseded(
    personas, actor, two_versions, django_capture_on_commit_callbacks
):
    first, second = two_versions
    with django_capture_on_commit_callbacks(execute=True):
        v3 = actions.save_call_flow(company=personas.company_a, document=first.document, comment="", by=actor)
    with django_capture_on_commit_callbacks(execute=True):
        v4 = actions.save_call_flow(company=personas.company_a, document=second.document, comment="", by=actor)
    v3.refresh_from_db()
    v4.refresh_from_db()
    assert (v3.provisioning_status, v4.provisioning_status) == ("superseded", "active")


def test_a_refused_export_fails_with_the_platforms_reason(
    personas, actor, two_versions, settings, django_capture_on_commit_callbacks
):
    settings.CALLFLOW_PLATFORM = "numbering.tests.test_flow_versions.refuse"
    first, _second = two_versions
    with django_capture_on_commit_callbacks(execute=True):
        version = actions.save_call_flow(company=personas.company_a, document=first.document, comment="", by=actor)
    version.refresh_from_db()
    assert version.provisioning_status == "failed"
    assert version.provisioning_reason == "Number +4570101010 is not on this platform"


def refuse(payload):
    from numbering.provisioning import PlatformRefused

    raise PlatformRefused("Number +4570101010 is not on this platform")


def test_the_export_names_its_format_and_passes_its_schema(personas, login, two_versions):
    response = login(personas.admin_a).get(reverse("numbers:flow_export"))
    payload = json.loads(response.content)
    assert payload["format"] == "selfservice.callflow/v1" == response["X-Callflow-Format"]
    assert export.problems(payload) == []
    payload["flow"]["destinations"]["menu"]["timeout"] = 600
    del payload["company"]["cvr"]
    assert export.problems(payload) == [
        "company: cvr is missing",
        "flow.destinations.menu.timeout: should be at most 60",
    ]


def test_the_schema_is_valid_json_schema_keywords_only():
    with pytest.raises(ValueError):
        callflow_schema.failures({}, {"oneOf": []}, {})
