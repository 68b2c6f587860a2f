"""The usage dashboard's reads: only the totals tables, a fixed number of queries per page.

- ``months``: a company's (or one cost centre's) totals for the chosen month and the 6 before it: 1 query
  over ``CostCentreMonthlyUsage`` (7 rows per cost centre).
- ``cost_centres``: the chosen month per cost centre: 1 query, sorted in the database.
- ``users``: the chosen month per subscription (``MonthlyUsage``), sorted and paginated by the database:
  2 queries (count and page), an index on (company, month, -charge) for the default sort.
- ``forecast``: the month-end forecast is the run rate: use so far / time passed * the month's length
  (from the first of the month to now, in days; at least one day, so a month's first hour does not
  multiply a single call by 700). A past month's forecast is what it was.
"""

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from companies.models import Company
from usage.models import BUCKET_KEYS, CostCentreMonthlyUsage, MonthlyUsage

TREND_MONTHS = 6
SUM_FIELDS = [f"{key}_{part}" for key in BUCKET_KEYS for part in ("quantity", "charge", "count")] + [
    "charge",
    "records",
]
# The user tables' sort keys: each has an index (company, month, -column), so a page is read, not sorted.
# (Not by name: that sorts 50,000 joined rows, 0.8 s on SQLite; the subscriptions list sorts by name.)
USER_SORTS = {
    "charge": "charge",
    "voice": "voice_quantity",
    "sms": "sms_quantity",
    "data": "data_quantity",
    "roaming_eu": "roaming_eu_charge",
    "roaming_world": "roaming_world_charge",
    "premium": "premium_charge",
}
CENTRE_SORTS = {
    "charge": "charge",
    "voice": "voice_quantity",
    "sms": "sms_quantity",
    "data": "data_quantity",
    "roaming_eu": "roaming_eu_charge",
    "roaming_world": "roaming_world_charge",
    "premium": "premium_charge",
    "name": "cost_centre",
}


def add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def empty() -> dict[str, Any]:
    return {name: (Decimal(0) if name.endswith("_quantity") else 0) for name in SUM_FIELDS}


def _sums() -> dict[str, Sum]:
    return {name: Sum(name) for name in SUM_FIELDS}


def months(company: Company, month: dt.date, cost_centre: str | None = None) -> list[dict[str, Any]]:
    """Totals per month, oldest first: the ``TREND_MONTHS`` months before ``month``, then ``month``."""
    first = add_months(month, -TREND_MONTHS)
    rows = CostCentreMonthlyUsage.objects.filter(company=company, month__gte=first, month__lte=month)
    if cost_centre is not None:
        rows = rows.filter(cost_centre=cost_centre)
    grouped: Iterable[Any] = rows.order_by().values("month").annotate(**_sums())
    found: dict[dt.date, dict[str, Any]] = {row.pop("month"): row for row in grouped}
    result = []
    for offset in range(-TREND_MONTHS, 1):
        start = add_months(month, offset)
        figures = empty() | {k: v for k, v in found.get(start, {}).items() if v is not None}
        result.append({"month": start, **figures})
    return result


def cost_centres(company: Company, month: dt.date, sort: str = "-charge") -> list[dict[str, Any]]:
    """Each cost centre's totals in ``month`` (a line without one: cost centre "")."""
    column = CENTRE_SORTS.get(sort.lstrip("-"), "charge")
    order = [f"-{column}" if sort.startswith("-") else column, "cost_centre"]
    rows: Iterable[Any] = (
        CostCentreMonthlyUsage.objects.filter(company=company, month=month)
        .order_by()
        .values("cost_centre")
        .annotate(**_sums())
        .order_by(*order)
    )
    return list(rows)


def users(
    company: Company, month: dt.date, *, sort: str = "-charge", cost_centre: str | None = None, roaming: bool = False
) -> QuerySet[MonthlyUsage]:
    """Each subscription's month, for a paginator; ``roaming``: only those who roamed ("who roams")."""
    column = USER_SORTS.get(sort.lstrip("-"), "charge")
    rows = MonthlyUsage.objects.filter(company=company, month=month)
    if cost_centre is not None:
        rows = rows.filter(subscription__cost_centre=cost_centre)
    if roaming:
        rows = rows.filter(Q(roaming_eu_count__gt=0) | Q(roaming_world_count__gt=0))
    return (
        rows.select_related("subscription")
        .only(
            *SUM_FIELDS, "month", "subscription__user_name", "subscription__phone_number", "subscription__cost_centre"
        )
        .order_by(f"-{column}" if sort.startswith("-") else column, "subscription_id")
    )


def line_months(subscription: Any, month: dt.date) -> list[dict[str, Any]]:
    """One subscription's totals per month, like ``months``: 1 query over ``MonthlyUsage``."""
    found = {
        row.month: row
        # The subscription was proven the company's (``get_for_company``): by its id alone, so the database
        # reads the (subscription, month) key, not a month of the whole company.
        for row in MonthlyUsage.objects.unscoped().filter(
            subscription=subscription,
            month__gte=add_months(month, -TREND_MONTHS),
            month__lte=month,
        )
    }
    result = []
    for offset in range(-TREND_MONTHS, 1):
        start = add_months(month, offset)
        row = found.get(start)
        figures = empty() if row is None else {name: getattr(row, name) for name in SUM_FIELDS}
        result.append({"month": start, **figures})
    return result


@dataclass(frozen=True)
class Forecast:
    figures: dict[str, Any]
    days_passed: Decimal  # days of the month gone (fractional)
    days_in_month: int
    final: bool  # the month is over: the figures are what it was

    @property
    def factor(self) -> Decimal:
        return Decimal(self.days_in_month) / self.days_passed


def forecast(so_far: dict[str, Any], month: dt.date, now: dt.datetime | None = None) -> Forecast | None:
    """The month-end forecast (run rate); None for a month not begun."""
    now = timezone.localtime(now)
    days = calendar.monthrange(month.year, month.month)[1]
    start = timezone.make_aware(dt.datetime.combine(month, dt.time()))
    if now < start:
        return None
    passed = Decimal((now - start).total_seconds()) / Decimal(86400)
    if passed >= days:
        return Forecast(so_far, Decimal(days), days, final=True)
    passed = max(passed, Decimal(1))
    factor = Decimal(days) / passed
    figures = {}
    for name, value in so_far.items():
        if name in SUM_FIELDS:
            projected = value * factor
            figures[name] = projected.quantize(Decimal("0.01")) if name.endswith("_quantity") else int(projected)
        else:
            figures[name] = value
    return Forecast(figures, passed.quantize(Decimal("0.1")), days, final=False)


def trend(month_rows: list[dict[str, Any]], projected: dict[str, Any]) -> dict[str, Any]:
    """The forecast against the average of the months before (the average of those with use)."""
    before = [row for row in month_rows[:-1] if row["records"]]
    if not before:
        return {"average": None, "change": None}
    average = sum(row["charge"] for row in before) // len(before)
    change = None if not average or not projected["records"] else round((projected["charge"] - average) * 100 / average)
    return {"average": average, "change": change, "months": len(before)}
