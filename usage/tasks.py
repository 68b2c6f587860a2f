"""The scheduled reports' background work (``jobs`` engine: durable tasks, reclaimed after a crash)."""

import logging

from django.conf import settings
from django.core.files import File
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common import formats
from usage.actions import report_scope_now, stop_schedule
from usage.models import ReportRecipient, ReportRun, ReportSchedule
from usage.reports import build_file

logger = logging.getLogger(__name__)
# A file up to this size travels with the e-mail; a larger one is linked (the portal page, signed in).
ATTACH_BYTES = 5 * 1024 * 1024


@task
def send_recipient_confirmation(recipient_id: int, confirm_url: str, language: str) -> None:
    recipient = ReportRecipient.objects.unscoped().select_related("company").filter(pk=recipient_id).first()
    if recipient is None:
        return  # removed meanwhile: nobody to ask
    with translation.override(language):
        subject = _("Confirm that %(email)s should receive usage reports") % {"email": recipient.email}
        body = render_to_string("usage/email/confirm.txt", {"recipient": recipient, "url": confirm_url})
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient.email]).send()


def _file_name(run: ReportRun) -> str:
    schedule = run.schedule
    return f"{schedule.kind}-{run.period_start:%Y%m%d}-{run.period_end:%Y%m%d}.{schedule.format}"


@task
def build_and_send_report(run_id: int) -> str:
    """Builds the period's file and e-mails it, all in one transaction with the run marked sent: the
    e-mails (outbox rows) commit with "sent" or not at all, so a re-run (a reclaimed task, a second
    scheduler) finds it sent and sends nothing. Safe to run again."""
    with transaction.atomic():
        run = (
            ReportRun.objects.unscoped()
            .select_for_update(of=("self",))
            .select_related("schedule", "schedule__company", "schedule__scheduled_by__user")
            .filter(pk=run_id)
            .first()
        )
        if run is None or run.status == ReportRun.Status.SENT:
            return "nothing to do"
        schedule = run.schedule
        if schedule.stopped_at is not None:
            return "the schedule is stopped"
        centres, stop = report_scope_now(schedule)
        if stop:
            stop_schedule(schedule, reason=stop)
            run.status = ReportRun.Status.FAILED
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "finished_at"])
            return f"stopped: {stop}"
        with translation.override(schedule.language):
            handle, rows = build_file(
                schedule.kind, schedule.format, run.company_id, run.period_start, run.period_end, centres
            )
            try:
                run.file.save(_file_name(run), File(handle), save=False)
            finally:
                handle.close()
            run.rows = rows
            recipients = [r.email for r in schedule.recipients.filter(confirmed_at__isnull=False)]
            _send(run, schedule, recipients)
        run.sent_to = recipients
        run.status = ReportRun.Status.SENT
        run.finished_at = timezone.now()
        run.save(update_fields=["file", "rows", "sent_to", "status", "finished_at"])
    return f"{rows} rows to {len(recipients)}"


def _send(run: ReportRun, schedule: ReportSchedule, recipients: list[str]) -> None:
    if not recipients:
        return
    size = run.file.size
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    context = {
        "run": run,
        "schedule": schedule,
        "company": schedule.company,
        "period": f"{formats.date(run.period_start)} \u2013 {formats.date(run.period_end)}",
        "attached": size <= ATTACH_BYTES,
        "url": base + reverse("usage:report_file", args=[run.pk]),
    }
    subject = _("%(report)s for %(company)s, %(period)s") % {
        "report": schedule.get_kind_display(),
        "company": schedule.company.name,
        "period": context["period"],
    }
    body = render_to_string("usage/email/report.txt", context)
    content_type = "application/pdf" if schedule.format == ReportSchedule.Format.PDF else "text/csv"
    for email in recipients:  # one message each: no address sees the others
        message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[email])
        if context["attached"]:
            with run.file.open("rb") as stored:
                message.attach(_file_name(run), stored.read(), content_type)
        message.send()
