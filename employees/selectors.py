"""Reads of the employee's pages: only the subscriptions on the proven address, with a fixed query count."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, QuerySet, Sum, Value, When
from django.http import Http404
from django.utils import timezone

from companies.models import Company
from employees.models import EmployeeRequest
from invoicing.models import UsageRecord
from subscriptions.models import Subscription

# What an employee sees: running subscriptions and those about to end (not the long-gone ones).
SHOWN = (
    Subscription.Status.PENDING_ACTIVE,
    Subscription.Status.ACTIVE,
    Subscription.Status.SUSPENDED,
    Subscription.Status.PENDING_TERMINATE,
)


def _mine(email: str) -> QuerySet[Subscription]:
    # Across companies on purpose: the scope is the address the sign-in link proved, not a company (an employee
    # may have subscriptions with two companies of a group). The filter on the address is the scoping.
    return Subscription.objects.unscoped().filter(email__iexact=email.strip(), status__in=SHOWN)


def has_subscriptions(email: str) -> bool:
    return bool(email.strip()) and _mine(email).exists()


def my_subscriptions(email: str) -> list[Subscription]:
    """The address's subscriptions with product, company and add-ons (two queries, however many)."""
    if not email.strip():
        return []
    return list(
        _mine(email)
        .select_related("product", "company", "scheduled_product")
        .prefetch_related("add_ons")
        .order_by("company__name", "sort_name", "id")
    )


def my_subscription(email: str, pk: object) -> Subscription:
    """One of the address's subscriptions; another's (or a missing) id answers 404 alike."""
    try:
        sub_id = int(str(pk))
    except ValueError:
        raise Http404 from None
    found = (
        _mine(email)
        .filter(pk=sub_id)
        .select_related("product", "company", "scheduled_product")
        .prefetch_related("add_ons", "product__allowed_changes")
        .first()
        if email.strip()
        else None
    )
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class UsageLine:
    type: str
    label: str
    quantity: Decimal
    charge: int  # øre, excl. VAT
    records: int


def first_of_month(today: datetime.date | None = None) -> datetime.datetime:
    today = today or timezone.localdate()
    return timezone.make_aware(datetime.datetime(today.year, today.month, 1))


def month_to_date(subs: Sequence[Subscription], *, today: datetime.date | None = None) -> dict[int, list[UsageLine]]:
    """This month's usage so far per subscription and type, from the imported usage records (one query)."""
    found: dict[int, list[UsageLine]] = {s.pk: [] for s in subs}
    if not subs:
        return found
    labels = dict(UsageRecord.Type.choices)
    rows = (
        UsageRecord.objects.filter(
            company_id__in={s.company_id for s in subs},
            subscription_id__in=[s.pk for s in subs],
            time__gte=first_of_month(today),
        )
        .values("subscription_id", "type")
        .annotate(quantity=Sum("quantity"), charge=Sum("charge"), records=Count("id"))
        .order_by("subscription_id", "type")
    )
    for row in rows:
        found[row["subscription_id"]].append(
            UsageLine(
                type=row["type"],
                label=str(labels.get(row["type"], row["type"])),
                quantity=row["quantity"] or Decimal(0),
                charge=row["charge"] or 0,
                records=row["records"],
            )
        )
    return found


def my_requests(subs: Sequence[Subscription], *, email: str) -> list[EmployeeRequest]:
    """The requests the address made on these subscriptions, newest first (one query): a subscription handed on
    to a new employee does not show them the previous user's requests."""
    if not subs or not email.strip():
        return []
    return list(
        EmployeeRequest.objects.filter(
            company_id__in={s.company_id for s in subs},
            subscription_id__in=[s.pk for s in subs],
            email__iexact=email.strip(),
        ).select_related("product")[:20]
    )


def company_requests(company: Company) -> QuerySet[EmployeeRequest]:
    """The company's requests for its admins: the waiting ones first, then the newest."""
    return (
        EmployeeRequest.objects.for_company(company)
        .select_related("subscription", "product", "subscription__product", "decided_by")
        .annotate(waiting=Case(When(status=EmployeeRequest.Status.PENDING, then=Value(0)), default=Value(1)))
        .order_by("waiting", "-created_at", "-id")
    )


def has_several(email: str) -> bool:
    return _mine(email).count() > 1
