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
from companies.models import Company, Membership
from jobs.queue import enqueue
from registry.scoping import check_cost_centre, cost_centre_limit
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
    cost_centres: list[str] | None = None,
    membership: Membership | None = None,
) -> ReportSchedule:
    """``company`` as the request holds it: for an admin limited to cost centres, the report must name some of
    theirs (and no invoice summary, which is the whole company's); the builder cuts it to their grant again."""
    centres = _report_scope(company, cost_centres or [], kind)
    if not recipients:
        raise ValidationError(_("Choose at least one confirmed address."), code="no_recipients")
    if any(r.company_id != company.pk or not r.is_confirmed for r in recipients):
        raise ValidationError(_("Reports go only to confirmed addresses."), code="unconfirmed")
    schedule = ReportSchedule.objects.create(
        company=company,
        kind=kind,
        frequency=frequency,
        format=file_format,
        language=language,
        created_by=by.display,
        cost_centres=centres,
        scheduled_by=membership if centres else None,
    )
    schedule.recipients.set(recipients)
    record(
        "usage.report_scheduled",
        by=by,
        company=company,
        target=schedule,
        details={
            "kind": kind,
            "frequency": frequency,
            "format": file_format,
            "to": [r.email for r in recipients],
            **({"cost_centres": centres} if centres else {}),
        },
    )
    return schedule


def _report_scope(company: Company, cost_centres: list[str], kind: str) -> list[str]:
    limit = cost_centre_limit(company)
    if limit is None:
        return []  # a whole-company admin's report covers the whole company
    if kind == ReportSchedule.Kind.INVOICES:
        raise ValidationError(
            _("The invoice summary covers the whole company: choose another report."), code="report_whole_company"
        )
    centres = sorted({c for c in cost_centres if c})
    if not centres:
        raise ValidationError(_("Choose at least one of your cost centres."), code="cost_centre_missing")
    for centre in centres:
        check_cost_centre(company, centre)
    return centres


def report_scope_now(schedule: ReportSchedule) -> tuple[list[str] | None, str]:
    """At build time: (the cost centres the report covers, None for the whole company; why it must stop, or "").
    A limited admin's schedule follows their grant as it is now: narrowed, the report narrows; removed (the admin
    gone, the Subscriptions area taken away, none of the cost centres left), the schedule stops."""
    if not schedule.cost_centres:
        return None, ""
    membership = schedule.scheduled_by
    if membership is None or membership.company_id != schedule.company_id:
        return [], "the admin who scheduled it is no longer an admin of the company"
    if "subscriptions" not in (membership.areas or []) or not membership.user.is_active:
        return [], "the admin who scheduled it no longer has the Subscriptions area"
    granted = membership.cost_centres or []
    centres = [c for c in schedule.cost_centres if not granted or c in granted]
    if not centres:
        return [], "the admin who scheduled it no longer has any of its cost centres"
    return centres, ""


def stop_schedule(schedule: ReportSchedule, *, reason: str) -> None:
    """Stops a schedule whose admin lost the grant it was made under (audited; it makes no more runs)."""
    schedule.stopped_at = timezone.now()
    schedule.stop_reason = reason[:200]
    schedule.save(update_fields=["stopped_at", "stop_reason"])
    record(
        "usage.report_stopped",
        by=Actor.system("usage"),
        company=schedule.company,
        target=schedule,
        details={"kind": schedule.kind, "cost_centres": schedule.cost_centres, "reason": reason},
    )


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
    for schedule in ReportSchedule.objects.unscoped().filter(stopped_at__isnull=True).order_by("pk"):
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
