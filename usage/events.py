"""What ``usage`` tells higher areas (``registry.events``): totals moved for some subscriptions.

Published by ``usage.aggregates`` in the usage import's transaction, once per company and month the
file touched, after that company's totals were written: a handler (``guardrails``) may read
``usage.selectors.month_to_date`` at once and sees the new totals; if it raises, the import rolls back.
"""

import datetime as dt
from dataclasses import dataclass

from registry.events import Event


@dataclass(frozen=True, kw_only=True)
class UsageAggregated(Event):
    company_id: int
    subscription_ids: frozenset[int]
    month: dt.date  # the first day of the month
