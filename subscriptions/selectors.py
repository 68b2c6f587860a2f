"""Reads: the overview's search, filters and sorts, all index-backed."""

import re
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet, Sum

from companies.models import Company
from registry.scoping import limit_to_cost_centres
from subscriptions.identifiers import search_phone
from subscriptions.models import Product, Subscription, SubscriptionCount

SORTS = {
    "name": ("sort_name", "id"),
    "-name": ("-sort_name", "-id"),
    # By type, pages come from TypeOrderedList; this order only serves plain iteration.
    "type": ("product_id", "sort_name", "id"),
    "-type": ("-product_id", "-sort_name", "-id"),
    "email": ("email", "id"),
    "-email": ("-email", "-id"),
    "phone": ("phone_number", "id"),
    "-phone": ("-phone_number", "-id"),
}
_PHONEISH = re.compile(r"^\+?[\d\s\-().]+$")

if TYPE_CHECKING:
    from audit.models import AuditEvent


def _next_prefix(digits: str) -> str:
    """The smallest digit string above every string starting with ``digits`` (an ICCID starts with 89).

    ``iccid >= prefix AND iccid < next`` is the prefix match as a range, which the (company, iccid) B-tree
    serves on every backend and collation; ``LIKE 'prefix%'`` can use it only under the C collation.
    """
    return str(int(digits) + 1).zfill(len(digits))


def products_in_order() -> list[Product]:
    # The catalogue's order, with a tie-break: types of equal kind, rank and price keep one order on PostgreSQL too.
    return list(Product.objects.order_by("kind", "sort_order", "monthly_price", "name", "pk"))


CATALOGUE_VERSION_KEY = "subscriptions.catalogue.version"
# Read again after this many seconds whatever the version says: bounds what a change made where the cache is not
# shared (development's per-process memory cache, a write that bypasses the signals) can leave behind.
CATALOGUE_MAX_AGE = 300.0
_catalogue: tuple[str, float, list[Product]] | None = None  # (version, when read, products) in this process


def catalogue_in_order(*, reload: bool = False) -> list[Product]:
    """``products_in_order()``, kept in this process while the catalogue is unchanged.

    The catalogue changes a few times a year (staff, in the admin); the list page read it on every request.
    The version lives in the shared cache (Redis in production), and every save or delete of a product
    drops it (``catalogue_changed``, on the save and again on commit), so every process reads the catalogue
    again on its next request. A cache read costs less than the query's compile and round trip.
    """
    global _catalogue  # one immutable tuple, replaced whole (safe across threads)
    import time

    from django.core.cache import cache

    version = cache.get(CATALOGUE_VERSION_KEY)
    held = _catalogue
    now = time.monotonic()
    if not reload and version is not None and held is not None and held[0] == version:
        if now - held[1] < CATALOGUE_MAX_AGE:
            return list(held[2])
    if version is None:
        import uuid

        cache.add(CATALOGUE_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(CATALOGUE_VERSION_KEY)
    products = products_in_order()
    if version is not None:
        _catalogue = (str(version), now, products)
    return list(products)


def catalogue_key(products: list[Product]) -> str:
    """What a fragment showing the types (names in the active language, on sale or not) varies on."""
    return "|".join(f"{p.pk}:{p.display_name}:{int(p.is_active)}" for p in products)


def catalogue_changed(**kwargs: Any) -> None:
    """Signal receiver (post_save/post_delete of Product): every process re-reads the catalogue."""
    from django.core.cache import cache
    from django.db import transaction

    cache.delete(CATALOGUE_VERSION_KEY)
    # Again after commit: a process that read the version in between must not keep the old rows.
    transaction.on_commit(lambda: cache.delete(CATALOGUE_VERSION_KEY))


def company_subscriptions(company: Company | None) -> QuerySet[Subscription]:
    """The company's subscriptions; a cost-centre-limited admin's company object: only their cost centres
    (registry.scoping), so every list, search, export and bulk set built from here is cut to them."""
    return Subscription.objects.for_company(company)


def counters(company: Company) -> QuerySet[SubscriptionCount]:
    """The maintained counters of the company (under a cost-centre limit, only those cost centres')."""
    return limit_to_cost_centres(SubscriptionCount.objects.filter(company=company, count__gt=0), company)


def search(qs: QuerySet[Subscription], q: str) -> QuerySet[Subscription]:
    q = (q or "").strip()
    if not q:
        return qs
    if _PHONEISH.match(q):
        digits = re.sub(r"\D", "", q)
        if digits.startswith("89") and 18 <= len(digits) <= 20:
            return qs.filter(iccid__gte=digits, iccid__lt=_next_prefix(digits))
        if len(digits) >= 8:
            phone = search_phone(q)
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
    return qs.select_related("product").order_by(*order)


LIST_FIELDS = (
    "id",
    "company_id",
    "user_name",
    "email",
    "phone_number",
    "status",
    "cost_centre",
    "product_id",
    "sort_name",
)


class TypeOrderedList:
    """The list sorted by subscription type (the catalogue's order), then name, for the Paginator.

    Ordering by a type's rank cannot use an index, so instead: one grouped count per type
    (an index scan), then each type's slice comes from the (company, product, sort_name) index.
    A page spanning k types costs k queries; with 50 per page that is almost always one.
    """

    ordered = True

    def __init__(
        self,
        qs: QuerySet[Subscription],
        products: list[Product],
        *,
        descending: bool,
        counts: dict[int, int] | None = None,
    ) -> None:
        self.qs = qs.order_by()
        self.products = products[::-1] if descending else products
        self.descending = descending
        # From the maintained counters when the filters allow (type_counts), else one grouped count.
        self._counts: dict[int, int] | None = counts

    def counts(self) -> dict[int, int]:
        if self._counts is None:
            self._counts = dict(self.qs.values_list("product_id").annotate(n=Count("id")).order_by())
        return self._counts

    def count(self) -> int:
        return sum(self.counts().values())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Subscription]:
        start, stop = index.start or 0, index.stop
        order = ("-sort_name", "-id") if self.descending else ("sort_name", "id")
        rows: list[Subscription] = []
        position = 0
        for product in self.products:
            n = self.counts().get(product.pk, 0)
            if n and position + n > start and position < stop:
                lo = max(start - position, 0)
                hi = min(stop - position, n)
                rows += list(self.qs.filter(product_id=product.pk).only(*LIST_FIELDS).order_by(*order)[lo:hi])
            position += n
            if position >= stop:
                break
        return rows


class CountedList:
    """A queryset whose length is known already (from the counters): the Paginator does not count the rows."""

    ordered = True

    def __init__(self, qs: QuerySet[Subscription], total: int) -> None:
        self.qs = qs
        self.total = total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: slice) -> list[Subscription]:
        return list(self.qs[index])


SEARCH_COUNT_CAP = 1000


class CappedList:
    """A search's matches for the Paginator, counted only up to ``cap`` past the page asked for.

    A substring that matches a fixed share of the company (a common name, a domain) cannot be answered in
    time independent of the company's size while the page shows the exact number of matches: the count reads
    every match. Counting at most ``offset + cap + 1`` of them keeps the page flat; the page then says "more
    than 1,000" (``capped``), and Next still leads on: the pages past the cap are counted when asked for.
    """

    ordered = True

    def __init__(self, qs: QuerySet[Subscription], *, offset: int, cap: int | None = None) -> None:
        self.qs = qs
        self.limit = offset + (SEARCH_COUNT_CAP if cap is None else cap)  # "more than limit" when capped
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.qs.order_by()[: self.limit + 1].count()
        return self._count

    @property
    def capped(self) -> bool:
        return self.count() > self.limit

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Subscription]:
        return list(self.qs[index])


class ListCounters:
    """The list page's counts from the maintained counters in one query: the cost centres in use (the filter's
    choices) and the subscriptions per type under the filters (the page count, and the slices of a sort by
    type). The same as ``cost_centres()`` and ``type_counts()``, which cost a query each."""

    def __init__(self, company: Company | None) -> None:
        self.rows: list[tuple[int, str, str, int]] = (
            list(counters(company).order_by().values_list("product_id", "status", "cost_centre", "count"))
            if company is not None
            else []
        )
        self.company = company

    def cost_centres(self) -> list[str]:
        return sorted({centre for _p, _s, centre, _n in self.rows if centre})

    def type_counts(
        self, *, q: str = "", status: str = "", product: Product | None = None, cost_centre: str = ""
    ) -> dict[int, int] | None:
        if (q or "").strip() or self.company is None:
            return None
        counts: dict[int, int] = {}
        for product_id, row_status, centre, n in self.rows:
            if status and row_status != status:
                continue
            if product is not None and product_id != product.pk:
                continue
            if cost_centre and centre != cost_centre:
                continue
            counts[product_id] = counts.get(product_id, 0) + n
        return counts


def type_counts(
    company: Company | None, *, q: str = "", status: str = "", product: Product | None = None, cost_centre: str = ""
) -> dict[int, int] | None:
    """Subscriptions per type under these filters, from the maintained counters (subscriptions.counters):
    one query over a handful of rows, whatever the company's size. None for a search (it must count)."""
    if (q or "").strip() or company is None:
        return None
    rows = counters(company)
    if status:
        rows = rows.filter(status=status)
    if product is not None:
        rows = rows.filter(product=product)
    if cost_centre:
        rows = rows.filter(cost_centre=cost_centre)
    return dict(rows.order_by().values_list("product_id").annotate(n=Sum("count")))


def page_source(
    qs: QuerySet[Subscription],
    sort: str,
    products: list[Product],
    *,
    counts: dict[int, int] | None = None,
    offset: int = 0,
) -> Any:  # a TypeOrderedList, CountedList or CappedList: what Paginator takes
    """``counts``: the per-type counts from the counters (None for a search, which must count its matches:
    then at most ``SEARCH_COUNT_CAP`` past ``offset``, the first row of the page asked for)."""
    if sort in ("type", "-type"):
        return TypeOrderedList(qs, products, descending=sort == "-type", counts=counts)
    rows = qs.select_related(None).only(*LIST_FIELDS)
    if counts is not None:
        return CountedList(rows, sum(counts.values()))
    return CappedList(rows, offset=offset)


def label_rows(rows: list[Subscription], products: list[Product]) -> None:
    """Type, status and link for each row of a page, looked up once per page rather than per row."""
    from django.urls import reverse

    names = {p.pk: p.display_name for p in products}
    statuses = {value: str(label) for value, label in Subscription.Status.choices}
    link = reverse("subscriptions:detail", kwargs={"subscription_id": 1})[:-2]  # one reverse() per page
    for row in rows:
        row.type_label = names.get(row.product_id, "")
        row.status_label = statuses.get(row.status, row.status)
        row.url = f"{link}{row.pk}/"


def add_on_prices(subscription_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """Each subscription's add-ons as (name, monthly price in øre), in one query and without model instances."""
    through = Subscription.add_ons.through
    rows = (
        through.objects.filter(subscription_id__in=subscription_ids)
        .order_by("addon__name", "addon_id")
        .values_list("subscription_id", "addon__name", "addon__monthly_price")
    )
    prices: dict[int, list[tuple[str, int]]] = {}
    for subscription_id, name, price in rows:
        prices.setdefault(subscription_id, []).append((name, price))
    return prices


def add_on_prices_between(company: Company, low: int, high: int) -> dict[int, list[tuple[str, int]]]:
    """As ``add_on_prices``, for the company's subscriptions with ``low < id <= high`` (an export's chunk):
    a range on the through table's index instead of thousands of ids in an IN list."""
    through = Subscription.add_ons.through
    rows = (
        through.objects.filter(subscription_id__gt=low, subscription_id__lte=high, subscription__company=company)
        .order_by("addon__name", "addon_id")
        .values_list("subscription_id", "addon__name", "addon__monthly_price")
    )
    prices: dict[int, list[tuple[str, int]]] = {}
    for subscription_id, name, price in rows:
        prices.setdefault(subscription_id, []).append((name, price))
    return prices


def cost_centres(company: Company | None) -> list[str]:
    """The company's cost centres in use, from the maintained counters (not a scan of its subscriptions)."""
    if company is None:
        return []
    return list(
        counters(company)
        .exclude(cost_centre="")
        .order_by("cost_centre")
        .values_list("cost_centre", flat=True)
        .distinct()
    )


def cost_centres_of(companies: list[Company]) -> dict[int, list[str]]:
    """Each company's cost centres in use (from the counters), in one query: what a grant may be limited to."""
    found: dict[int, list[str]] = {c.pk: [] for c in companies}
    rows = (
        SubscriptionCount.objects.filter(company__in=[c.pk for c in companies], count__gt=0)
        .exclude(cost_centre="")
        .order_by("company_id", "cost_centre")
        .values_list("company_id", "cost_centre")
        .distinct()
    )
    for company_id, centre in rows:
        found[company_id].append(centre)
    return found


def subscription_detail(company: Company | None) -> QuerySet[Subscription]:
    return (
        company_subscriptions(company)
        .select_related("product", "scheduled_product")
        .prefetch_related("add_ons", "product__allowed_changes", "sim_orders")
    )


def history(sub: Subscription) -> "QuerySet[AuditEvent]":
    from audit.models import AuditEvent

    return (
        AuditEvent.objects.for_company(sub.company)
        .filter(target_type="subscriptions.subscription", target_id=str(sub.pk))
        .select_related("actor")[:50]
    )


def status_counts(company: Company | None) -> dict[str, int]:
    """Subscriptions per status, from the counters the database keeps (subscriptions.counters)."""
    if company is None:
        return {}
    rows = counters(company).order_by().values_list("status").annotate(n=Sum("count"))
    return dict(rows)


def counted_status_counts(company: Company | None) -> dict[str, Any]:
    """The same counted from the subscriptions themselves (what the counters must equal)."""
    return dict(company_subscriptions(company).order_by().values_list("status").annotate(n=Count("id")))
