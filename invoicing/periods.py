"""Which months may be billed: only a month that is over, unless staff force it (audited).

Billing the running month would invoice half a month's usage (the rest comes in later), and a
future month invoices subscriptions that may still change, so both need an explicit, reasoned force.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from invoicing.money import parse_period


def unfinished_reason(period: str, *, today: dt.date | None = None) -> str | None:
    """Why `period` (valid YYYY-MM) cannot be billed yet, or None when the month is over."""
    today = today or timezone.localdate()
    first, last = parse_period(period)
    if first > today:
        return _("%(period)s lies in the future: a month can be billed once it is over.") % {"period": period}
    if last >= today:
        return _("%(period)s is not over yet: it can be billed from %(day)s.") % {
            "period": period,
            "day": formats.date_format(last + dt.timedelta(days=1), "SHORT_DATE_FORMAT"),
        }
    return None


def check_billable(period: str, *, force: bool, reason: str, today: dt.date | None = None) -> str | None:
    """Refuses an unfinished or future month unless forced with a reason.

    Returns the reason the month was not billable when the run is forced (to audit), else None.
    """
    problem = unfinished_reason(period, today=today)
    if problem is None:
        return None
    if not force:
        raise ValidationError(problem, code="unfinished")
    if not reason.strip():
        raise ValidationError(_("Give a reason for billing a month that is not over."), code="reason")
    return problem


def record_forced_run(*, period: str, reason: str, by: Actor, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    record(
        "invoice.billing_forced",
        by=by,
        company=None,
        details={"period": period, "reason": reason.strip(), "today": today.isoformat()},
    )
