"""Reads: the overview's search, filters and sorts, all index-backed."""

import re

from django.db.models import Case, IntegerField, QuerySet, Value, When

from companies.models import Company
from subscriptions.identifiers import normalise_phone
from subscriptions.models import Product, Subscription

SORTS = {
    "name": ("sort_name", "id"),
    "-name": ("-sort_name", "-id"),
    "type": ("product_rank", "sort_name", "id"),
    "-type": ("-product_rank", "-sort_name", "-id"),
    "email": ("email", "id"),
    "-email": ("-email", "-id"),
    "phone": ("phone_number", "id"),
    "-phone": ("-phone_number", "-id"),
}
_PHONEISH = re.compile(r"^\+?[\d\s\-().]+$")


def products_in_order() -> list[Product]:
    return list(Product.objects.all())


def company_subscriptions(company: Company | None) -> QuerySet[Subscription]:
    return Subscription.objects.for_company(company)


def search(qs: QuerySet[Subscription], q: str) -> QuerySet[Subscription]:
    q = (q or "").strip()
    if not q:
        return qs
    if _PHONEISH.match(q):
        digits = re.sub(r"\D", "", q)
        if digits.startswith("89") and 18 <= len(digits) <= 20:
            return qs.filter(iccid__startswith=digits)
        if len(digits) >= 8:
            phone = normalise_phone(q)
            if phone:
                return qs.filter(phone_number=phone)
        if digits:
            return qs.filter(phone_number__contains=digits)
    return qs.filter(search_text__contains=q.casefold())


def subscription_list(
    company: Company | None,
    *,
    q: str = "",
    status: str = "",
    product: Product | None = None,
    cost_centre: str = "",
    sort: str = "name",
) -> QuerySet[Subscription]:
    qs = search(company_subscriptions(company), q)
    if status:
        qs = qs.filter(status=status)
    if product is not None:
        qs = qs.filter(product=product)
    if cost_centre:
        qs = qs.filter(cost_centre=cost_centre)
    order = SORTS.get(sort, SORTS["name"])
    if "product_rank" in order[0]:
        # The catalogue's own order (kind, then sort order), a handful of products.
        ranks = [When(product_id=p.pk, then=Value(i)) for i, p in enumerate(products_in_order())]
        qs = qs.annotate(product_rank=Case(*ranks, default=Value(999), output_field=IntegerField()))
    return qs.select_related("product").order_by(*order)


def cost_centres(company: Company | None) -> list[str]:
    return list(
        company_subscriptions(company)
        .exclude(cost_centre="")
        .order_by("cost_centre")
        .values_list("cost_centre", flat=True)
        .distinct()
    )


def subscription_detail(company: Company | None) -> QuerySet[Subscription]:
    return (
        company_subscriptions(company)
        .select_related("product", "scheduled_product")
        .prefetch_related("add_ons", "product__allowed_changes", "sim_orders")
    )


def history(sub: Subscription):  # type: ignore[no-untyped-def]
    from audit.models import AuditEvent

    return (
        AuditEvent.objects.for_company(sub.company)
        .filter(target_type="subscriptions.subscription", target_id=str(sub.pk))
        .select_related("actor")[:50]
    )
