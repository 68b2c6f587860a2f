import datetime as dt

from django.utils import timezone

from usage.models import ReportRecipient, ReportRun, ReportSchedule


def recipient(company, *, email="rapport@firma.dk", confirmed=True):
    return ReportRecipient.objects.create(
        company=company, email=email, confirmed_at=timezone.now() if confirmed else None
    )


def schedule(company, **fields):
    values = {"kind": "top_users", "frequency": "monthly", "format": "csv", "language": "da"} | fields
    made = ReportSchedule.objects.create(company=company, **values)
    made.recipients.set([recipient(company, email=f"r{made.pk}@firma.dk")])
    return made


def run(company):
    return ReportRun.objects.create(
        company=company,
        schedule=schedule(company),
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
        status="sent",
        file="reports/x.csv",
    )


URL_KWARGS = {
    "report_recipient_id": lambda company: (
        recipient(company, email=f"x{ReportRecipient.all_companies.count()}@firma.dk").pk
    ),
    "schedule_id": lambda company: schedule(company).pk,
    "run_id": lambda company: run(company).pk,
}
