"""Reads of the usage totals (never of usage records): fixed query counts, whatever the company's size."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from companies.models import Company
from invoicing.models import UsageRecord
from usage.models import BUCKETS, MonthlyUsage


@dataclass(frozen=True)
class Totals:
    quantity: Decimal = Decimal(0)  # minutes, texts, MB (roaming and premium: as the network counts them)
    charge: int = 0  # øre excl. VAT
    count: int = 0  # usage records


@dataclass
class SubscriptionUsage:
    """One subscription's use in a month so far, per (type, zone); zone is "" except for roaming."""

    subscription_id: int
    by_type: dict[tuple[str, str], Totals] = field(default_factory=dict)
    charge: int = 0  # øre excl. VAT, all types
    count: int = 0

    def get(self, usage_type: str, zone: str = "") -> Totals:
        return self.by_type.get((usage_type, zone), Totals())

    def roaming(self, zone: str) -> Totals:
        return self.get(UsageRecord.Type.ROAMING, zone)


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _bucket_key(usage_type: str, zones: tuple[str, ...]) -> tuple[str, str]:
    return (usage_type, zones[0])


def month_to_date(
    company: Company | int, month: dt.date, subscription_ids: Iterable[int] | None = None
) -> dict[int, SubscriptionUsage]:
    """Each subscription's use in ``month`` (any day of it) so far, by subscription id: one query.

    Keys of ``by_type``: ("voice", ""), ("sms", ""), ("data", ""), ("roaming", "eu"), ("roaming", "world"),
    ("premium", ""); a type without use is left out. Subscriptions without use are left out.
    ``subscription_ids`` narrows it (ids of another company find nothing).
    """
    company_id = company.pk if isinstance(company, Company) else company
    rows = MonthlyUsage.objects.filter(company_id=company_id, month=first_of_month(month))
    if subscription_ids is not None:
        rows = rows.filter(subscription_id__in=list(subscription_ids))
    result: dict[int, SubscriptionUsage] = {}
    for row in rows.order_by():
        usage = SubscriptionUsage(row.subscription_id, charge=row.charge, count=row.records)
        for key, usage_type, zones in BUCKETS:
            quantity: Decimal = getattr(row, f"{key}_quantity")
            charge: int = getattr(row, f"{key}_charge")
            count: int = getattr(row, f"{key}_count")
            if count:
                usage.by_type[_bucket_key(usage_type, zones)] = Totals(quantity, charge, count)
        result[row.subscription_id] = usage
    return result
