"""Reads of the Invoice area, scoped to one company."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from companies.models import Company
from invoicing.models import EInvoiceDelivery, EInvoiceRecipient, Invoice, InvoiceSection, Payment
from invoicing.money import period_of
from registry.scoping import limit_to_cost_centres


def with_credited(qs: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotates ``credited`` (a credit note exists), in the same query: nothing is outstanding then."""
    return qs.annotate(credited=Exists(Invoice.objects.filter(credited_invoice=OuterRef("pk"))))


def payments(*, invoice: Invoice) -> QuerySet[Payment]:
    return Payment.objects.filter(company_id=invoice.company_id, invoice=invoice).order_by("paid_on", "id")


def invoices(*, company: Company | None, year: int | None = None, status: str = "") -> QuerySet[Invoice]:
    qs = with_credited(Invoice.objects.for_company(company))
    if year:
        qs = qs.filter(period__startswith=f"{year:04d}-")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-period", "-number")


def invoice_years(*, company: Company | None) -> list[int]:
    periods = Invoice.objects.for_company(company).order_by("period").values_list("period", flat=True).distinct()
    return sorted({int(p[:4]) for p in periods}, reverse=True)


def company_sections(*, invoice: Invoice) -> QuerySet[InvoiceSection]:
    """The invoice's per-user sections; through a cost-centre-limited admin's company object (the invoice's
    ``company`` as the view sets it), only their cost centres' (registry.scoping)."""
    return limit_to_cost_centres(InvoiceSection.objects.filter(invoice=invoice), invoice.company)


def sections_total(*, invoice: Invoice) -> int:
    """The sum of the sections' totals (øre): a limited admin's share of the invoice, in one query."""
    return company_sections(invoice=invoice).aggregate(total=Sum("total"))["total"] or 0


def sections(*, invoice: Invoice, search: str = "") -> QuerySet[InvoiceSection]:
    qs = company_sections(invoice=invoice)
    if search:
        digits = "".join(ch for ch in search if ch.isdigit())
        condition = Q(user_name__icontains=search)
        if len(digits) >= 3:
            condition |= Q(phone_number__contains=digits)
        qs = qs.filter(condition)
    return qs.select_related("subscription__product").prefetch_related("lines").order_by("user_name", "id")


def recipients(*, company: Company | None) -> QuerySet[EInvoiceRecipient]:
    return EInvoiceRecipient.objects.for_company(company).order_by("email")


def deliveries(*, company: Company | None) -> QuerySet[EInvoiceDelivery]:
    return EInvoiceDelivery.objects.for_company(company).select_related("invoice").order_by("-created_at", "-id")


@dataclass
class ChartBar:
    period: str
    subscriptions: int
    usage: int
    one_off: int

    @property
    def total(self) -> int:
        return self.subscriptions + self.usage + self.one_off


def monthly_totals(*, company: Company | None, today: dt.date) -> list[ChartBar]:
    """Net per kind for the last 12 periods (credit notes subtract), oldest first."""
    periods = []
    day = today.replace(day=1)
    for _ in range(12):
        day = (day - dt.timedelta(days=1)).replace(day=1)
        periods.append(period_of(day))
    periods.reverse()
    bars = {p: ChartBar(p, 0, 0, 0) for p in periods}
    rows = (
        Invoice.objects.for_company(company)
        .filter(period__in=periods)
        .values_list("period", "subscriptions_net", "usage_net", "one_off_net")
    )
    for period, subs, usage, one_off in rows:
        bar = bars[period]
        bar.subscriptions += subs
        bar.usage += usage
        bar.one_off += one_off
    return list(bars.values())
