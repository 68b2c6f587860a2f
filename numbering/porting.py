"""Danish porting rules: which numbers can be ported in at once, and the earliest date.

The operators and parsing single numbers are shared telephony facts in ``common/telecom.py``."""

import datetime

import holidays
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from common import formats
from common.telecom import NumberError, parse_landline

MAX_NUMBERS_PER_REQUEST = 100


def parse_numbers(text: str) -> list[str]:
    """Numbers separated by commas or new lines; a range is written ``33 12 34 00 - 33 12 34 19``."""
    numbers: set[str] = set()
    errors: list[str] = []
    for chunk in text.replace(",", "\n").replace(";", "\n").splitlines():
        chunk = chunk.strip()
        if not chunk:
            continue
        try:
            if chunk.count("-") == 1:
                first_text, last_text = chunk.split("-")
                first, last = parse_landline(first_text), parse_landline(last_text)
                if int(last[3:]) < int(first[3:]):
                    raise NumberError(_("The range “%(range)s” ends before it starts.") % {"range": chunk})
                if int(last[3:]) - int(first[3:]) + 1 > MAX_NUMBERS_PER_REQUEST:
                    raise NumberError(_("The range “%(range)s” is too long.") % {"range": chunk})
                for value in range(int(first[3:]), int(last[3:]) + 1):
                    numbers.add(parse_landline(f"+45{value}"))
            else:
                numbers.add(parse_landline(chunk))
        except NumberError as exc:
            errors.append(str(exc))
    if errors:
        raise NumberError(" ".join(errors))
    if not numbers:
        raise NumberError(_("Enter at least one number."))
    if len(numbers) > MAX_NUMBERS_PER_REQUEST:
        raise NumberError(
            _("At most %(max)d numbers per request; split larger series into several requests.")
            % {"max": MAX_NUMBERS_PER_REQUEST}
        )
    return sorted(numbers)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in holidays.DK(years=day.year)


def next_working_day(after: datetime.date) -> datetime.date:
    """The first working day after ``after`` (weekends and Danish public holidays excluded)."""
    day = after + datetime.timedelta(days=1)
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def earliest_porting_date(today: datetime.date | None = None, *, current_operator: str = "") -> datetime.date:
    """The port must be possible by the next working day after the request (Teleloven § 28a); a donor
    operator that needs more notice (``settings.PORTING_DONOR_NOTICE_DAYS``: operator → working days) later."""
    day = next_working_day(today or timezone.localdate())
    notice = int(getattr(settings, "PORTING_DONOR_NOTICE_DAYS", {}).get(current_operator, 1))
    for _extra in range(max(notice, 1) - 1):
        day = next_working_day(day)
    return day


def port_date_problem(
    day: datetime.date, *, current_operator: str = "", today: datetime.date | None = None
) -> str | None:
    """Why ``day`` cannot be a port date (not a working day, too early), or None."""
    if day.weekday() >= 5:
        return _("%(date)s is a Saturday or Sunday: numbers are ported on working days.") % {"date": formats.date(day)}
    from numbering.flows import danish_holidays

    holiday = danish_holidays(day.year).get(day)
    if holiday:
        return _("%(date)s is a public holiday (%(name)s): numbers are ported on working days.") % {
            "date": formats.date(day),
            "name": holiday,
        }
    earliest = earliest_porting_date(today, current_operator=current_operator)
    if day < earliest:
        return _("The earliest possible porting date is %(date)s.") % {"date": formats.date(earliest)}
    return None
