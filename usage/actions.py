"""Writes of the scheduled reports: recipients (confirmed by their owners), schedules, and the scheduler."""

import datetime as dt
from collections.abc import Callable

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from companies.models import Company
from jobs.queue import enqueue
from usage.models import ReportRecipient, ReportRun, ReportSchedule
from usage.reports import period_for

CONFIRM_SALT = "usage.report_recipient.confirm"
CONFIRM_MAX_AGE = 14 * 24 * 3600


def confirmation_token(recipient: ReportRecipient) -> str:
    return signing.dumps({"r": recipient.pk, "e": recipient.email}, salt=CONFIRM_SALT)


def recipient_for_token(token: str) -> ReportRecipient | None:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    return (
        ReportRecipient.objects.unscoped()
        .filter(pk=data.get("r"), email=data.get("e"))
        .select_related("company")
        .first()
    )


@transaction.atomic
def add_recipient(
    *, company: Company, email: str, confirm_url: Callable[[str], str], language: str, by: Actor
) -> ReportRecipient:
    """Adds an address; it receives reports only after its owner follows the e-mailed link and confirms."""
    from usage.tasks import send_recipient_confirmation

    email = email.strip().lower()
    if ReportRecipient.objects.filter(company=company, email=email).exists():
        raise ValidationError(_("This address is already on the list."), code="exists")
    recipient = ReportRecipient.objects.create(company=company, email=email, added_by=by.display)
    enqueue(send_recipient_confirmation, recipient.pk, confirm_url(confirmation_token(recipient)), language)
    record("usage.report_recipient_added", by=by, company=company, target=recipient, details={"email": email})
    return recipient


@transaction.atomic
def confirm_recipient(*, recipient: ReportRecipient, by: Actor) -> ReportRecipient:
    if recipient.confirmed_at is None:
        recipient.confirmed_at = timezone.now()
        recipient.save(update_fields=["confirmed_at"])
        record("usage.report_recipient_confirmed", by=by, company=recipient.company, target=recipient)
    return recipient


@transaction.atomic
def remove_recipient(*, recipient: ReportRecipient, by: Actor) -> None:
    record("usage.report_recipient_removed", by=by, company=recipient.company, details={"email": recipient.email})
    recipient.delete()


@transaction.atomic
def create_schedule(
    *,
    company: Company,
    kind: str,
    frequency: str,
    file_format: str,
    language: str,
    recipients: list[ReportRecipient],
    by: Actor,
) -> ReportSchedule:
    if not recipients:
        raise ValidationError(_("Choose at least one confirmed address."), code="no_recipients")
    if any(r.company_id != company.pk or not r.is_confirmed for r in recipients):
        raise ValidationError(_("Reports go only to confirmed addresses."), code="unconfirmed")
    schedule = ReportSchedule.objects.create(
        company=company, kind=kind, frequency=frequency, format=file_format, language=language, created_by=by.display
    )
    schedule.recipients.set(recipients)
    record(
        "usage.report_scheduled",
        by=by,
        company=company,
        target=schedule,
        details={"kind": kind, "frequency": frequency, "format": file_format, "to": [r.email for r in recipients]},
    )
    return schedule


@transaction.atomic
def delete_schedule(*, schedule: ReportSchedule, by: Actor) -> None:
    record(
        "usage.report_unscheduled",
        by=by,
        company=schedule.company,
        details={"kind": schedule.kind, "frequency": schedule.frequency},
    )
    schedule.delete()


def schedule_due_reports(today: dt.date | None = None) -> list[ReportRun]:
    """Makes each schedule's run for its last complete period, once, and queues its task in the same
    transaction. Run it from cron as often as you like (daily is enough): a period that has a run is
    skipped, and two schedulers at once meet the unique (schedule, period) constraint, not a second e-mail.
    A new schedule starts with the first period that ends after it was made."""
    from usage.tasks import build_and_send_report

    today = today or timezone.localdate()
    made: list[ReportRun] = []
    for schedule in ReportSchedule.objects.unscoped().order_by("pk"):
        start, end = period_for(schedule.frequency, today)
        if end < timezone.localtime(schedule.created_at).date():
            continue
        if ReportRun.objects.filter(company_id=schedule.company_id, schedule=schedule, period_start=start).exists():
            continue
        try:
            with transaction.atomic():
                run = ReportRun.objects.create(
                    company_id=schedule.company_id, schedule=schedule, period_start=start, period_end=end
                )
                enqueue(build_and_send_report, run.pk)
        except IntegrityError:  # another scheduler made it a moment ago
            continue
        made.append(run)
    return made
