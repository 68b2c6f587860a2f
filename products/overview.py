from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest

from companies.http import active_company
from products import selectors
from products.models import Order


def overview_context(request: HttpRequest) -> dict[str, Any]:
    """The overview's Products section: orders on their way and those waiting for approval (one query)."""
    counts = selectors.orders(company=active_company(request)).aggregate(
        open=Count("pk", filter=Q(state__in=Order.OPEN_STATES)),
        held=Count("pk", filter=Q(state=Order.State.HELD)),
    )
    return {"products_open": counts["open"], "products_held": counts["held"]}
