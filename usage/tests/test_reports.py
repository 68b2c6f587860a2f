import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from invoicing.models import UsageRecord
from invoicing.tests.factories import InvoiceFactory, SubscriptionFactory
from usage import actions
from usage.aggregates import aggregate
from usage.models import ReportRecipient, ReportRun, ReportSchedule
from usage.reports import build_file, period_for
from usage.tasks import build_and_send_report
from usage.tests.factories import recipient

pytestmark = pytest.mark.django_db
OCT = dt.date(2026, 10, 1)


def test_the_period_is_the_last_complete_month_or_week():
    assert period_for("monthly", dt.date(2026, 11, 1)) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert period_for("monthly", dt.date(2026, 11, 17)) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert period_for("weekly", dt.date(2026, 12, 4)) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))  # a Friday
    assert period_for("weekly", dt.date(2026, 11, 30)) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))


@pytest.fixture
def company_usage(personas):
    company = personas.company_a
    subs = [
        SubscriptionFactory(
            company=company, user_name="=HYPERLINK(evil)", cost_centre="Salg", phone_number="+4520111111"
        ),
        SubscriptionFactory(company=company, user_name="Bo", cost_centre="", phone_number="+4520222222"),
    ]
    when = timezone.make_aware(dt.datetime(2026, 10, 15, 12))
    for sub, (kind, zone, quantity, charge) in zip(
        subs, [("roaming", "world", 50, 12345), ("data", "", 2048, 500)], strict=True
    ):
        UsageRecord.objects.create(
            company=company,
            subscription=sub,
            time=when,
            type=kind,
            zone=zone,
            quantity=Decimal(quantity),
            charge=charge,
        )
    aggregate(UsageRecord.objects.filter(company=company))
    InvoiceFactory(company=company, issue_date=dt.date(2026, 10, 3))
    return company


@pytest.mark.parametrize("kind", [k for k, _label in ReportSchedule.Kind.choices])
def test_every_report_builds_as_excel_safe_csv_and_as_pdf(company_usage, kind):
    handle, rows = build_file(kind, "csv", company_usage.pk, OCT, dt.date(2026, 10, 31))
    text = handle.read().decode("utf-8")
    assert text.startswith("\ufeff") and ";" in text.splitlines()[0]
    assert rows >= 1
    if kind in ("top_users", "roaming"):
        assert "'=HYPERLINK(evil)" in text and "123,45" in text  # neutralised; amounts with a decimal comma
    pdf, pdf_rows = build_file(kind, "pdf", company_usage.pk, OCT, dt.date(2026, 10, 31))
    assert pdf.read(5) == b"%PDF-" and pdf_rows == rows


def _schedule(company, **fields):
    return actions.create_schedule(
        company=company,
        kind=fields.get("kind", "cost_centres"),
        frequency=fields.get("frequency", "monthly"),
        file_format=fields.get("file_format", "csv"),
        language="da",
        recipients=[recipient(company, email="chef@alfa.dk")],
        by=actions.Actor.system("test"),
    )


def test_a_schedule_sends_once_per_period_even_if_the_scheduler_runs_twice(
    company_usage, django_capture_on_commit_callbacks
):
    schedule = _schedule(company_usage)
    ReportSchedule.objects.filter(company=company_usage, pk=schedule.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 9, 1))
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = actions.schedule_due_reports(today=dt.date(2026, 11, 1))
    with django_capture_on_commit_callbacks(execute=True):
        again = actions.schedule_due_reports(today=dt.date(2026, 11, 2))  # the cron runs again (or twice)
    assert len(first) == 1 and again == []
    run = ReportRun.objects.get(company=company_usage)
    assert (run.period_start, run.period_end, run.status) == (OCT, dt.date(2026, 10, 31), "sent")  # tasks run at once
    build_and_send_report.call(run.pk)  # a reclaimed task runs it again
    sent = [m for m in mail.outbox if m.to == ["chef@alfa.dk"]]
    assert len(sent) == 1
    assert "Forbrug pr. omkostningssted" in sent[0].subject
    name, content, content_type = sent[0].attachments[0]
    assert name.endswith(".csv") and content_type == "text/csv" and "Salg" in content


def test_a_new_schedule_waits_for_the_first_period_that_ends_after_it(company_usage):
    _schedule(company_usage, frequency="weekly")
    assert actions.schedule_due_reports(today=timezone.localdate()) == []


def test_reports_go_only_to_confirmed_addresses(personas):
    pending = recipient(personas.company_a, email="ny@alfa.dk", confirmed=False)
    with pytest.raises(actions.ValidationError):
        actions.create_schedule(
            company=personas.company_a,
            kind="roaming",
            frequency="weekly",
            file_format="pdf",
            language="en",
            recipients=[pending],
            by=actions.Actor.system("test"),
        )


def test_the_address_confirmation_journey(personas, login, django_capture_on_commit_callbacks):
    client = login(personas.admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("usage:report_recipient_add"), {"email": "Chef@Alfa.dk"})
    assert response.status_code == 302
    added = ReportRecipient.objects.get(company=personas.company_a)
    assert added.email == "chef@alfa.dk" and not added.is_confirmed
    body = next(m for m in mail.outbox if m.to == ["chef@alfa.dk"]).body
    link = next(word for word in body.split() if "/reports/confirm/" in word)
    path = link.split("://", 1)[-1].split("/", 1)[1]
    anonymous = client.__class__()
    assert "report-recipient-confirm" in anonymous.get("/" + path).content.decode()
    added.refresh_from_db()
    assert not added.is_confirmed  # GET (a mail scanner) confirms nothing
    anonymous.post("/" + path)
    added.refresh_from_db()
    assert added.is_confirmed
    assert anonymous.get("/subscriptions/usage/reports/confirm/nonsense/").status_code == 404

    page = client.get(reverse("usage:reports")).content.decode()
    assert 'data-testid="schedule-form"' in page
    response = client.post(
        reverse("usage:reports"),
        {"kind": "top_users", "frequency": "weekly", "format": "pdf", "language": "en", "recipients": [added.pk]},
    )
    assert response.status_code == 302
    assert ReportSchedule.objects.filter(company=personas.company_a, kind="top_users").exists()
    assert client.post(reverse("usage:reports"), {"kind": "nope"}).status_code == 400


def test_the_cron_command(company_usage, capsys):
    call_command("run_scheduled_reports")
    assert "queued" in capsys.readouterr().out
