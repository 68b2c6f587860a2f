from typing import Any

from django.http import HttpRequest

from companies.http import active_company
from subscriptions.models import Subscription
from subscriptions.selectors import status_counts


def overview_context(request: HttpRequest) -> dict[str, Any]:
    counts = status_counts(active_company(request))
    return {
        "active": counts.get(Subscription.Status.ACTIVE, 0),
        "pending": counts.get(Subscription.Status.PENDING_ACTIVE, 0),
        "cancelling": counts.get(Subscription.Status.PENDING_TERMINATE, 0),
        "total": sum(counts.values()),
    }
