"""The month's use of lines, as the guardrail rules read it (from the usage area's daily totals)."""

import datetime as dt
from collections.abc import Iterable

from companies.models import Company
from guardrails import rules
from usage.selectors import SubscriptionUsage, month_to_date


def to_totals(usage: SubscriptionUsage) -> rules.Totals:
    return rules.Totals(
        spend=usage.charge,
        data_mb=int(usage.get("data").quantity),
        roaming={zone: usage.roaming(zone).charge for zone in rules.ZONES},
        premium=usage.get("premium").charge,
    )


def month_totals(company: Company, subscription_ids: Iterable[int], month: dt.date) -> dict[int, rules.Totals]:
    """One query, whatever the number of lines; lines without use are left out (``rules.Totals()``)."""
    return {sub_id: to_totals(usage) for sub_id, usage in month_to_date(company, month, subscription_ids).items()}
