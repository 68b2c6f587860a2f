"""What the guardrails do when lower areas tell them something (``registry.events``)."""

from typing import Any

from django.http import HttpRequest

from companies.http import require_company
from guardrails import actions, evaluations, selectors
from registry.scoping import cost_centre_limit
from subscriptions.events import ServiceBlocksChanged
from subscriptions.models import Subscription
from usage.events import UsageAggregated


def on_usage_aggregated(event: UsageAggregated) -> dict[str, Any]:
    """In the usage import's transaction: only queue the evaluation of the lines whose totals moved (a durable
    task, coalesced per company and month); the warnings and bars come from it, in their own transactions."""
    if event.month != actions.this_month():
        return {}  # late records of a past month neither warn nor bar (its limits are over)
    evaluation = evaluations.schedule(
        company_id=event.company_id, month=event.month, subscription_ids=event.subscription_ids
    )
    return {"guardrails_evaluation": evaluation.pk}


def on_blocks_changed(event: ServiceBlocksChanged) -> None:
    actions.blocks_changed_by_hand(event.subscription, changes=event.changes, by=event.by)


def profile_context(request: HttpRequest, sub: Subscription) -> dict[str, Any]:
    return {"sub": sub, "bars": selectors.active_bars(sub)}


def overview_context(request: HttpRequest) -> dict[str, Any]:
    """The overview's guardrails card: lines barred now and raise requests waiting (one query)."""
    company = require_company(request)
    # The rules page is the whole company's: a cost-centre-limited admin sees their lines' counts, no link.
    return {**selectors.overview_counts(company), "limited": cost_centre_limit(company) is not None}
