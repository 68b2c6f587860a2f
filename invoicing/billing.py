"""The monthly billing run: one invoice per company and period.

Cross-company by design: this module reads every company's subscriptions with
``Model.objects`` (not ``for_company``). Each company is billed in its own
transaction that locks the invoice counter, re-checks that the company has no
invoice for the period and then creates it; the unique (company, period)
constraint backs that check. A run killed half-way has committed whole invoices
only, and a re-run bills exactly the companies that are still missing.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from companies.models import Company
from invoicing.models import Charge, Invoice, InvoiceCounter, InvoiceLine, InvoiceSection, UsageRecord
from invoicing.money import days_active, due_date_for, parse_period, pro_rata, vat_of
from subscriptions.models import Subscription

Progress = Callable[[int, int], None]


@dataclass
class BillingResult:
    period: str
    created: list[int] = field(default_factory=list)  # invoice ids
    skipped: int = 0  # companies that already had an invoice for the period


def billable_subscriptions(first: dt.date, last: dt.date) -> QuerySet[Subscription]:
    """Subscriptions active on at least one day of the period (cancelled orders never are)."""
    return (
        Subscription.objects.filter(start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .exclude(status=Subscription.Status.CANCELLED)
    )


def period_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def companies_to_bill(period: str) -> tuple[list[int], int]:
    first, last = parse_period(period)
    with_subscriptions = set(billable_subscriptions(first, last).values_list("company_id", flat=True).distinct())
    with_charges = set(
        Charge.objects.filter(invoice__isnull=True, date__lte=last).values_list("company_id", flat=True).distinct()
    )
    done = set(
        Invoice.objects.filter(period=period, category=Invoice.Category.NORMAL).values_list("company_id", flat=True)
    )
    wanted = with_subscriptions | with_charges
    return sorted(wanted - done), len(wanted & done)


def run_billing(
    period: str, *, by: Actor, issue_date: dt.date | None = None, progress: Progress | None = None
) -> BillingResult:
    """Bills every company that has no invoice for ``period`` yet. Safe to run again."""
    parse_period(period)
    issue_date = issue_date or timezone.localdate()
    todo, already = companies_to_bill(period)
    result = BillingResult(period=period, skipped=already)
    for done, company_id in enumerate(todo, start=1):
        invoice = bill_company(company_id, period, by=by, issue_date=issue_date)
        if invoice is None:
            result.skipped += 1
        else:
            result.created.append(invoice.pk)
        if progress:
            progress(done, len(todo))
    return result


@dataclass
class _Section:
    subscription: Subscription
    lines: list[InvoiceLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def _name(obj: object, language: str) -> str:
    name_da = getattr(obj, "name_da", "")
    return name_da if language == "da" and name_da else str(getattr(obj, "name", obj))


def usage_label(usage_type: str) -> str:
    return str(UsageRecord.Type(usage_type).label) if usage_type in UsageRecord.Type.values else usage_type


def bill_company(company_id: int, period: str, *, by: Actor, issue_date: dt.date) -> Invoice | None:
    first, last = parse_period(period)
    month_days = (last - first).days + 1
    company = Company.objects.get(pk=company_id)
    language = company.invoice_language
    with transaction.atomic(), translation.override(language):
        # The lock serialises concurrent runs: numbers stay gapless and the check below is reliable.
        counter = InvoiceCounter.lock()
        if Invoice.objects.filter(company_id=company_id, period=period, category=Invoice.Category.NORMAL).exists():
            return None

        sections: dict[int, _Section] = {}
        subscriptions = (
            billable_subscriptions(first, last).filter(company_id=company_id)
            .select_related("product").prefetch_related("add_ons").order_by("user_name", "id")
        )
        for sub in subscriptions:
            days = days_active(sub.start_date, sub.end_date, first, last)
            section = sections[sub.pk] = _Section(sub)
            partial = days < month_days
            description = _name(sub.product, language)
            if partial:
                description = _("%(name)s, %(days)s of %(month_days)s days") % {
                    "name": description, "days": days, "month_days": month_days}
            section.lines.append(InvoiceLine(
                kind=InvoiceLine.Kind.SUBSCRIPTION, description=description[:200], quantity=Decimal(days),
                amount=pro_rata(sub.product.monthly_price, days, month_days)))
            for add_on in sub.add_ons.all():
                section.lines.append(InvoiceLine(
                    kind=InvoiceLine.Kind.ADD_ON, description=_name(add_on, language)[:200],
                    quantity=Decimal(days), amount=pro_rata(add_on.monthly_price, days, month_days)))

        start, end = period_bounds(first, last)
        usage = (
            UsageRecord.objects.filter(company_id=company_id, time__gte=start, time__lt=end)
            .values("subscription_id", "type").annotate(quantity=Sum("quantity"), charge=Sum("charge"))
            .order_by("subscription_id", "type")
        )
        usage_rows = list(usage)
        charges = list(
            Charge.objects.filter(company_id=company_id, invoice__isnull=True, date__lte=last).select_related("fee")
        )
        missing = {row["subscription_id"] for row in usage_rows} | {c.subscription_id for c in charges}
        missing -= sections.keys()
        for sub in Subscription.objects.filter(pk__in=missing).select_related("product"):
            sections[sub.pk] = _Section(sub)
        for row in usage_rows:
            sections[row["subscription_id"]].lines.append(InvoiceLine(
                kind=InvoiceLine.Kind.USAGE, usage_type=row["type"], description=usage_label(row["type"]),
                quantity=row["quantity"] or Decimal(0), amount=row["charge"] or 0))
        for charge in charges:
            sections[charge.subscription_id].lines.append(InvoiceLine(
                kind=InvoiceLine.Kind.ONE_OFF, description=(_name(charge.fee, language) if charge.fee
                                                             else charge.description)[:200],
                quantity=Decimal(1), amount=charge.amount))

        totals: dict[str, int] = defaultdict(int)
        for section in sections.values():
            for line in section.lines:
                totals[line.kind] += line.amount
        net = sum(totals.values())
        vat = vat_of(net)
        invoice = Invoice.objects.create(
            company_id=company_id, number=counter.take(), period=period,
            status=Invoice.Status.ISSUED, issue_date=issue_date, due_date=due_date_for(issue_date),
            net=net, vat=vat, total=net + vat,
            subscriptions_net=totals[InvoiceLine.Kind.SUBSCRIPTION] + totals[InvoiceLine.Kind.ADD_ON],
            usage_net=totals[InvoiceLine.Kind.USAGE], one_off_net=totals[InvoiceLine.Kind.ONE_OFF],
            language=language,
        )
        ordered = sorted(sections.values(), key=lambda s: (s.subscription.user_name, s.subscription.pk))
        section_rows = InvoiceSection.objects.bulk_create(
            [InvoiceSection(
                invoice=invoice, subscription=s.subscription, user_name=s.subscription.user_name[:200],
                phone_number=s.subscription.phone_number, product_name=_name(s.subscription.product, language)[:120],
                cost_centre=s.subscription.cost_centre, total=s.total) for s in ordered],
            batch_size=2000,
        )
        lines = []
        for row, section in zip(section_rows, ordered, strict=True):
            for line in section.lines:
                line.invoice = invoice
                line.section = row
                lines.append(line)
        InvoiceLine.objects.bulk_create(lines, batch_size=5000)
        if charges:
            Charge.objects.filter(pk__in=[c.pk for c in charges]).update(invoice=invoice)
        record("invoice.issued", by=by, company=company, target=invoice,
               details={"period": period, "total": invoice.total, "number": invoice.number})
        transaction.on_commit(lambda: _after_issue(invoice.pk))
    return invoice


def _after_issue(invoice_id: int) -> None:
    from invoicing.tasks import process_issued_invoice

    process_issued_invoice.enqueue(invoice_id)
