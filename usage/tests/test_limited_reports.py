"""Admins limited to cost centres schedule reports of their cost centres only; the grant at build time decides."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from companies.models import Membership
from companies.tests.factories import MembershipFactory
from invoicing.models import UsageRecord
from invoicing.tests.factories import SubscriptionFactory
from outbox.models import OutboxMessage
from usage.aggregates import aggregate
from usage.models import ReportRecipient, ReportRun, ReportSchedule
from usage.tasks import build_and_send_report
from usage.tests.factories import recipient

pytestmark = pytest.mark.django_db
OCT = dt.date(2026, 10, 1)


@pytest.fixture
def three_centres(personas):
    company = personas.company_a
    when = timezone.make_aware(dt.datetime(2026, 10, 15, 12))
    for centre, phone in (("Salg", "+4520111111"), ("Lager", "+4520222222"), ("Drift", "+4520333333")):
        sub = SubscriptionFactory(company=company, user_name=f"Bruger {centre}", cost_centre=centre, phone_number=phone)
        UsageRecord.objects.create(
            company=company, subscription=sub, time=when, type="data", quantity=Decimal(100), charge=500
        )
    aggregate(UsageRecord.objects.filter(company=company))
    recipient(company, email="chef@alfa.dk")
    return company


@pytest.fixture
def limited(three_centres):
    return MembershipFactory(company=three_centres, cost_centres=["Salg", "Lager"])


def _post(client, company, **data):
    address = ReportRecipient.objects.filter(company=company).get()
    return client.post(
        "/subscriptions/usage/reports/",
        {"kind": "top_users", "frequency": "monthly", "format": "csv", "language": "en", "recipients": [address.pk]}
        | data,
    )


def _run(schedule):
    run = ReportRun.objects.create(
        company=schedule.company, schedule=schedule, period_start=OCT, period_end=dt.date(2026, 10, 31)
    )
    build_and_send_report.call(run.pk)
    run.refresh_from_db()
    return run


def _content(run) -> str:
    with run.file.open("rb") as stored:
        return stored.read().decode("utf-8")


def test_a_limited_admin_schedules_a_report_of_their_cost_centres(three_centres, limited, login):
    client = login(limited.user)
    page = client.get("/subscriptions/usage/reports/").content.decode()
    assert 'data-testid="schedule-cost-centres"' in page and "Drift" not in page
    assert 'value="invoices"' not in page  # the invoice summary is the whole company's
    response = _post(client, three_centres, cost_centres=["Salg"])
    assert response.status_code == 302
    schedule = ReportSchedule.objects.filter(company=three_centres).get()
    assert (schedule.cost_centres, schedule.scheduled_by_id) == (["Salg"], limited.pk)
    assert AuditEvent.all_companies.get(action="usage.report_scheduled").details["cost_centres"] == ["Salg"]
    run = _run(schedule)
    assert run.status == "sent" and run.sent_to == ["chef@alfa.dk"]
    content = _content(run)
    assert "Bruger Salg" in content and "Bruger Lager" not in content and "Bruger Drift" not in content
    assert run.rows == 1


def test_the_server_refuses_cost_centres_outside_the_grant_and_none_at_all(three_centres, limited, login):
    client = login(limited.user)
    assert _post(client, three_centres, cost_centres=["Drift"]).status_code == 400
    assert _post(client, three_centres).status_code == 400
    assert _post(client, three_centres, kind="invoices", cost_centres=["Salg"]).status_code == 400
    assert not ReportSchedule.objects.filter(company=three_centres).exists()


def test_the_action_refuses_a_cost_centre_outside_the_grant(three_centres, limited):
    from registry.scoping import LIMIT_ATTR  # the request's company object carries the limit
    from usage import actions

    company = three_centres
    setattr(company, LIMIT_ATTR, ("Salg",))
    with pytest.raises(actions.ValidationError):
        actions.create_schedule(
            company=company,
            kind="roaming",
            frequency="monthly",
            file_format="csv",
            language="en",
            recipients=[recipient(company, email="x@alfa.dk")],
            by=actions.Actor.system("test"),
            cost_centres=["Lager"],
            membership=limited,
        )


def test_a_narrowed_grant_narrows_the_report(three_centres, limited, login):
    _post(login(limited.user), three_centres, cost_centres=["Salg", "Lager"])
    schedule = ReportSchedule.objects.filter(company=three_centres).get()
    Membership.objects.filter(pk=limited.pk).update(cost_centres=["Lager"])
    content = _content(_run(schedule))
    assert "Bruger Lager" in content and "Bruger Salg" not in content


def test_a_removed_grant_stops_the_schedule_audited(three_centres, limited, login):
    _post(login(limited.user), three_centres, cost_centres=["Salg"])
    schedule = ReportSchedule.objects.filter(company=three_centres).get()
    Membership.objects.filter(pk=limited.pk).update(cost_centres=["Drift"])
    run = _run(schedule)
    schedule.refresh_from_db()
    assert run.status == "failed" and schedule.stopped_at is not None
    assert not OutboxMessage.objects.filter(to=["chef@alfa.dk"]).exists()
    event = AuditEvent.all_companies.get(action="usage.report_stopped")
    assert "no longer has any of its cost centres" in event.details["reason"]
    from usage import actions

    assert actions.schedule_due_reports(today=dt.date(2026, 12, 1)) == []  # stopped: no new runs


def test_an_admin_removed_stops_the_schedule(three_centres, limited, login):
    _post(login(limited.user), three_centres, cost_centres=["Salg"])
    schedule = ReportSchedule.objects.filter(company=three_centres).get()
    Membership.objects.filter(pk=limited.pk).delete()
    assert _run(schedule).status == "failed"
    assert AuditEvent.all_companies.filter(action="usage.report_stopped").exists()


def test_a_limited_admin_sees_and_stops_only_their_schedules(three_centres, limited, personas, login):
    whole = _post(login(personas.admin_a), three_centres)
    assert whole.status_code == 302
    company_wide = ReportSchedule.objects.filter(company=three_centres).get()
    assert company_wide.cost_centres == []
    client = login(limited.user)
    assert 'data-testid="schedule-row"' not in client.get("/subscriptions/usage/reports/").content.decode()
    assert client.post(f"/subscriptions/usage/reports/{company_wide.pk}/delete/").status_code == 404
