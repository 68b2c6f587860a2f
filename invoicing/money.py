"""Money arithmetic in integer øre, and the one rounding rule.

Rounding rule: amounts are computed as exact fractions and rounded once, half up,
to whole øre: once per pro-rata line (fee * days active / days in month) and once
for the VAT of the whole invoice (25 % of the net total). Usage charges arrive in
whole øre and are summed without rounding.
"""

import calendar
import datetime as dt
import re
from functools import lru_cache

import holidays
from stdnum import luhn

# The arithmetic lives in the core, so that the subscriptions area prices new subscriptions the same way.
from common.money import VAT_RATE_PERCENT as VAT_RATE_PERCENT
from common.money import days_active as days_active
from common.money import pro_rata as pro_rata
from common.money import round_half_up as round_half_up
from common.money import vat_of as vat_of

PAYMENT_TERMS_DAYS = 14


def parse_period(value: str) -> tuple[dt.date, dt.date]:
    """'2026-11' → (first day, last day); ValueError for anything else."""
    if len(value) != 7 or value[4] != "-":
        raise ValueError(value)
    year, month = int(value[:4]), int(value[5:])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError(value)
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 1), dt.date(year, month, last)


def period_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_period(day: dt.date) -> str:
    first = day.replace(day=1) - dt.timedelta(days=1)
    return period_of(first)


@lru_cache(maxsize=16)
def bank_holidays(year: int) -> dict[dt.date, str]:
    """The days Danish banks are closed besides weekends: the public holidays and the banks' closing days
    (Friday after Ascension Day, Constitution Day 5 June, Christmas Eve, New Year's Eve). Store bededag
    is a banking day since its abolition as a holiday in 2024, as in ``holidays.DK``."""
    days = dict(holidays.DK(years=year))
    ascension = next(day for day, name in days.items() if "himmelfart" in name.lower())
    days[ascension + dt.timedelta(days=1)] = "Fredag efter Kristi himmelfartsdag (bankernes lukkedag)"
    days[dt.date(year, 6, 5)] = "Grundlovsdag"
    days[dt.date(year, 12, 24)] = "Juleaftensdag"
    days[dt.date(year, 12, 31)] = "Nytårsaftensdag"
    return days


def is_business_day(day: dt.date) -> bool:
    """A Danish banking day: a weekday on which the banks are open."""
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def due_date_for(issue_date: dt.date) -> dt.date:
    """Net 14 days; a due date on a weekend or a Danish bank holiday moves to the next banking day."""
    due = issue_date + dt.timedelta(days=PAYMENT_TERMS_DAYS)
    while not is_business_day(due):
        due += dt.timedelta(days=1)
    return due


_KR_DANISH = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?$")  # 1.234,56 / 1234,56 / 1234
_KR_POINT = re.compile(r"^(\d+)\.(\d{1,2})$")  # 1234.56 (a point followed by three digits is grouping)


def parse_kr(value: str) -> int:
    """A kroner amount as people and bank files write it → øre; ValueError otherwise.

    '1.234,56', '1234,56', '1234', '1234.5' and '1 234,56' are accepted; '1.234' is 1234 kr.
    """
    text = value.strip().replace("\u00a0", "").replace(" ", "").removesuffix("kr.").removesuffix("kr")
    match = _KR_DANISH.match(text) or _KR_POINT.match(text)
    if match is None:
        raise ValueError(value)
    kroner = int(match.group(1).replace(".", ""))
    decimals = (match.group(2) or "").ljust(2, "0")
    return kroner * 100 + int(decimals)


def parse_day(value: str) -> dt.date:
    """'2026-12-01', '01-12-2026', '01.12.2026' or '01/12/2026' → a date; ValueError otherwise."""
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def fi_payment_id(invoice_number: int) -> str:
    """The 15-digit payment identification of FI-kort 71: the invoice number, zero-padded, and a
    modulus-10 check digit (the one Danish banks check when the line is typed or scanned)."""
    digits = f"{invoice_number:014d}"
    if len(digits) != 14:
        raise ValueError(invoice_number)
    return digits + luhn.calc_check_digit(digits)


def fi_payment_line(invoice_number: int, creditor: str) -> str:
    """The OCR line a Danish bank reads: +71<payment id+creditor number<."""
    return f"+71<{fi_payment_id(invoice_number)}+{creditor}<"
