"""Reads of the Products area, with their related rows loaded (fixed query counts)."""

from django.db.models import Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce

from companies.models import Company
from products.models import EsimActivation, Item, Order, OrderLine, ShipmentLine, StockMovement
from subscriptions.models import Subscription


def catalogue(*, kind: str | None = None) -> QuerySet[Item]:
    items = Item.objects.filter(is_active=True)
    return items.filter(kind=kind) if kind else items


def staff_catalogue() -> QuerySet[Item]:
    return Item.objects.all()


def stock_movements(*, item: Item) -> QuerySet[StockMovement]:
    """An item's stock history, newest first (paginated by the page: a count and one page's rows)."""
    return StockMovement.objects.filter(item=item).select_related("order").order_by("-at", "-id")


def stock_mismatches() -> list[tuple[Item, int]]:
    """Items whose stock is not the sum of their movements (one query), with that sum."""
    items = Item.objects.annotate(moved=Coalesce(Sum("movements__delta"), 0)).order_by("code")
    return [(item, item.moved) for item in items if item.moved != item.stock]


def orders(*, company: Company | None) -> QuerySet[Order]:
    return Order.objects.for_company(company).select_related("placed_by").order_by("-placed_at", "-id")


def _with_lines(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.select_related("company", "placed_by", "decided_by").prefetch_related(
        Prefetch(
            "lines",
            queryset=OrderLine.objects.select_related("item", "subscription").prefetch_related(
                "enrolments",
                "returns",
                Prefetch("shipment_lines", queryset=ShipmentLine.objects.select_related("shipment")),
                Prefetch("activations", queryset=EsimActivation.objects.order_by("issued_at", "id")),
            ),
        ),
        "shipments",
    )


def order_detail(*, company: Company | None) -> QuerySet[Order]:
    return _with_lines(Order.objects.for_company(company))


def staff_queue(*, state: str | None = None) -> QuerySet[Order]:
    qs = Order.objects.unscoped().select_related("company").order_by("placed_at", "id")
    if state:
        return qs.filter(state=state)
    return qs.filter(
        state__in=[Order.State.ACKNOWLEDGED, Order.State.IN_PROGRESS, Order.State.PARTIAL], completed_at__isnull=True
    )


def staff_order_detail() -> QuerySet[Order]:
    return _with_lines(Order.objects.unscoped())


def subscriptions_for_choice(*, company: Company) -> QuerySet[Subscription]:
    return (
        Subscription.objects.for_company(company)
        .exclude(status__in=[Subscription.Status.CANCELLED, Subscription.Status.TERMINATED])
        .only("pk", "user_name", "phone_number", "email")
        .order_by("sort_name", "pk")
    )


def employee_orders(*, subscription_ids: list[int], email: str) -> QuerySet[Order]:
    """The orders an employee asked for on these subscriptions from their own page (lines and items: two
    queries). The address is part of the filter: a subscription handed on does not show the previous user's."""
    return (
        Order.objects.unscoped()
        .filter(requested_by_subscription_id__in=subscription_ids, requested_by_email__iexact=email.strip())
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related("item")))
        .order_by("-placed_at", "-id")
    )
