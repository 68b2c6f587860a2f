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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from common import formats
from companies.models import Company
from invoicing.events import InvoiceIssued
from invoicing.models import Charge, EInvoiceSettings, Invoice, InvoiceCounter, InvoiceLine, InvoiceSection, UsageRecord
from invoicing.money import days_active, due_date_for, parse_period, pro_rata, vat_of
from registry.events import publish
from subscriptions.models import Subscription

Progress = Callable[[int, int], None]


@dataclass
class BillingResult:
    period: str
    created: list[int] = field(default_factory=list)  # invoice ids
    skipped: int = 0  # companies that already had an invoice for the period


def billable_subscriptions(first: dt.date, last: dt.date) -> QuerySet[Subscription]:
    """Subscriptions active on at least one day of the period (cancelled orders never are).

    A new subscription waiting for its number transfer is not billed yet: completing the port
    activates it and moves its start date to the day the number moved.
    """
    return (
        Subscription.objects.unscoped()
        .filter(start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .exclude(status=Subscription.Status.CANCELLED)
        .exclude(status=Subscription.Status.PENDING_ACTIVE, port_in_requested=True)
    )


def period_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def late_usage(end: dt.datetime) -> QuerySet[UsageRecord]:
    """Usage before ``end`` that arrived after its month was invoiced and is on no invoice yet."""
    return UsageRecord.objects.unscoped().filter(late=True, late_invoice__isnull=True, time__lt=end)


def companies_to_bill(period: str) -> tuple[list[int], int]:
    first, last = parse_period(period)
    with_subscriptions = set(billable_subscriptions(first, last).values_list("company_id", flat=True).distinct())
    with_charges = set(
        Charge.objects.unscoped()
        .filter(invoice__isnull=True, date__lte=last)
        .values_list("company_id", flat=True)
        .distinct()
    )
    done = set(
        Invoice.objects.unscoped()
        .filter(period=period, category=Invoice.Category.NORMAL)
        .values_list("company_id", flat=True)
    )
    # Late usage (imported after its month was invoiced) goes on the next invoice, even for a company
    # that has nothing else to bill.
    _start, end = period_bounds(first, last)
    with_late_usage = set(late_usage(end).values_list("company_id", flat=True).distinct())
    wanted = with_subscriptions | with_charges | with_late_usage
    return sorted(wanted - done), len(wanted & done)


def run_billing(
    period: str, *, by: Actor, issue_date: dt.date | None = None, progress: Progress | None = None
) -> BillingResult:
    """Bills every company that has no invoice for ``period`` yet. Safe to run again."""
    parse_period(period)
    issue_date = issue_date or timezone.localdate()
    todo, already = companies_to_bill(period)
    result = BillingResult(period=period, skipped=already)
    refresh_at = _statistics_checkpoints()
    for done, company_id in enumerate(todo, start=1):
        invoice = bill_company(company_id, period, by=by, issue_date=issue_date)
        if done in refresh_at:
            _analyze_invoice_tables()
        if invoice is None:
            result.skipped += 1
        else:
            result.created.append(invoice.pk)
        if progress:
            progress(done, len(todo))
    return result


def _statistics_checkpoints() -> set[int]:
    """When to refresh PostgreSQL's statistics of the invoice tables during the run.

    The foreign-key checks behind every inserted line use a plan made from the table
    statistics. While the tables are (nearly) empty that plan is a sequential scan, and the
    run turns quadratic as they fill. Refreshing the statistics a few times early on switches
    the checks to the primary-key index. Tables that already hold a few months of invoices
    have good statistics, so nothing is done there.
    """
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'invoicing_invoiceline'")
        row = cursor.fetchone()
    if row is not None and row[0] >= 100_000:
        return set()
    return {1, 3, 10, 30, 100}


def _analyze_invoice_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE invoicing_invoice, invoicing_invoicesection, invoicing_invoiceline")


@dataclass
class _Line:
    kind: str
    description: str  # in the invoice's language
    quantity: Decimal
    amount: int
    usage_type: str = ""
    # The text in both languages (pages and CSV files follow their reader); empty for text typed by staff.
    description_en: str = ""
    description_da: str = ""


def _texts(texts: dict[str, str], language: str) -> dict[str, str]:
    """``_Line`` keyword arguments for a text known in both languages, issued in ``language``."""
    return {
        "description": texts[language][:200],
        "description_en": texts["en"][:200],
        "description_da": texts["da"][:200],
    }


def in_each_language(make: Callable[..., str], *args: Any) -> dict[str, str]:
    """``make(*args)`` with each of the portal's languages active: {"en": …, "da": …}."""
    texts = {}
    for code in ("en", "da"):
        with translation.override(code):
            texts[code] = str(make(*args))
    return texts


@dataclass
class _Section:
    """One subscription on the invoice, as plain values (the run handles 100,000 of these); or, without
    a subscription, the company's other charges (generic billable lines)."""

    subscription_id: int | None
    user_name: str
    phone_number: str
    product_name: str
    cost_centre: str
    lines: list[_Line] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def _name(name: str, name_da: str, language: str) -> str:
    return name_da if language == "da" and name_da else name


def _names(name: str, name_da: str) -> dict[str, str]:
    return {"en": name, "da": name_da or name}


def usage_label(usage_type: str) -> str:
    return str(UsageRecord.Type(usage_type).label) if usage_type in UsageRecord.Type.values else usage_type


SUBSCRIPTION_FIELDS = [
    "id",
    "user_name",
    "phone_number",
    "cost_centre",
    "start_date",
    "end_date",
    "product__name",
    "product__name_da",
    "product__monthly_price",
]


def _section(row: dict, language: str) -> _Section:
    return _Section(
        row["id"],
        row["user_name"][:200],
        row["phone_number"],
        _name(row["product__name"], row["product__name_da"], language)[:120],
        row["cost_centre"],
    )


def _subscription_lines(
    sections: dict[Any, _Section],
    days_of: dict[int, int],
    company_id: int,
    first: dt.date,
    last: dt.date,
    *,
    language: str,
) -> None:
    """A section per billable subscription with its fee for the days it was active (noted when not all month);
    ``days_of`` gets those days."""
    month_days = (last - first).days + 1
    rows = billable_subscriptions(first, last).filter(company_id=company_id).values(*SUBSCRIPTION_FIELDS)
    pro_rata_texts = in_each_language(_, "%(name)s, %(days)s of %(month_days)s days")
    for row in rows:
        days = days_of[row["id"]] = days_active(row["start_date"], row["end_date"], first, last)
        sections[row["id"]] = section = _section(row, language)
        texts = _names(row["product__name"], row["product__name_da"])
        if days < month_days:
            texts = {
                code: pattern % {"name": texts[code], "days": days, "month_days": month_days}
                for code, pattern in pro_rata_texts.items()
            }
        section.lines.append(
            _Line(
                InvoiceLine.Kind.SUBSCRIPTION,
                quantity=Decimal(days),
                amount=pro_rata(row["product__monthly_price"], days, month_days),
                **_texts(texts, language),
            )
        )


Labels = dict[str, dict[str, str]]  # usage type → {language: label}


def usage_labels() -> Labels:
    return {value: in_each_language(usage_label, value) for value in UsageRecord.Type.values}


def _usage_lines(sections: dict[Any, _Section], usage_rows: Iterable[Any], labels: Labels, *, language: str) -> None:
    """The period's usage, one line per subscription and type."""
    for row in usage_rows:
        texts = labels.get(row["type"]) or {"en": row["type"], "da": row["type"]}
        sections[row["subscription_id"]].lines.append(
            _Line(
                InvoiceLine.Kind.USAGE,
                quantity=row["quantity"] or Decimal(0),
                amount=row["charge"] or 0,
                usage_type=row["type"],
                **_texts(texts, language),
            )
        )


def _charge_lines(sections: dict[Any, _Section], charges: Iterable[Charge], *, language: str) -> None:
    """One-off charges (a fee of the catalogue in the invoice's language, or their own description)."""
    for charge in charges:
        # A fee of the catalogue is named in both languages; a charge's own description as it was typed.
        texts = _texts(_names(charge.fee.name, charge.fee.name_da), language) if charge.fee else {}
        sections[charge.subscription_id].lines.append(
            _Line(
                InvoiceLine.Kind.ONE_OFF,
                quantity=Decimal(1),
                amount=charge.amount,
                **(texts or {"description": charge.description[:200]}),
            )
        )


def _add_on_lines(
    sections: dict[Any, _Section],
    days_of: dict[int, int],
    company_id: int,
    first: dt.date,
    last: dt.date,
    *,
    language: str,
) -> None:
    """Each billable subscription's add-ons, for the days it was active in the period."""
    month_days = (last - first).days + 1
    add_ons = (
        Subscription.add_ons.through.objects.filter(
            subscription_id__in=billable_subscriptions(first, last).filter(company_id=company_id).values("id")
        )
        .values_list("subscription_id", "addon__name", "addon__name_da", "addon__monthly_price")
        .order_by("subscription_id", "addon__name")
    )
    for subscription_id, name, name_da, price in add_ons:
        days = days_of[subscription_id]
        sections[subscription_id].lines.append(
            _Line(
                InvoiceLine.Kind.ADD_ON,
                quantity=Decimal(days),
                amount=pro_rata(price, days, month_days),
                **_texts(_names(name, name_da), language),
            )
        )


def _late_usage_text(month: dt.date, names: dict[str, str]) -> str:
    return _("Late usage, %(month)s: %(type)s") % {
        "month": formats.month(month),
        "type": names[translation.get_language() or "en"],
    }


def _late_usage_lines(
    sections: dict[Any, _Section], late_rows: Iterable[Any], labels: Labels, *, language: str
) -> None:
    """Usage of earlier, already billed months, one line per month and type."""
    for row in late_rows:
        names = labels.get(row["type"]) or {"en": row["type"], "da": row["type"]}
        texts = in_each_language(_late_usage_text, row["month"], names)
        sections[row["subscription_id"]].lines.append(
            _Line(
                InvoiceLine.Kind.LATE_USAGE,
                quantity=row["quantity"] or Decimal(0),
                amount=row["charge"] or 0,
                usage_type=row["type"],
                **_texts(texts, language),
            )
        )


def _section_order(section: _Section) -> tuple[bool, str, int]:
    return (section.subscription_id is None, section.user_name, section.subscription_id or 0)


def bill_company(company_id: int, period: str, *, by: Actor, issue_date: dt.date) -> Invoice | None:
    first, last = parse_period(period)
    company = Company.objects.get(pk=company_id)
    language = company.invoice_language
    with transaction.atomic(), translation.override(language):
        # The lock serialises concurrent runs: numbers stay gapless and the check below is reliable.
        counter = InvoiceCounter.lock()
        if Invoice.objects.filter(company_id=company_id, period=period, category=Invoice.Category.NORMAL).exists():
            return None

        sections: dict[int | None, _Section] = {}
        days_of: dict[int, int] = {}
        _subscription_lines(sections, days_of, company_id, first, last, language=language)
        _add_on_lines(sections, days_of, company_id, first, last, language=language)

        start, end = period_bounds(first, last)
        usage_rows = list(
            UsageRecord.objects.filter(company_id=company_id, time__gte=start, time__lt=end, late=False)
            .values("subscription_id", "type")
            .annotate(quantity=Sum("quantity"), charge=Sum("charge"))
            .order_by("subscription_id", "type")
        )
        # Stable while the counter is locked: the usage import marks records late under the same lock.
        late = late_usage(end).filter(company_id=company_id)
        late_rows = list(
            late.annotate(month=TruncMonth("time"))
            .values("subscription_id", "type", "month")
            .annotate(quantity=Sum("quantity"), charge=Sum("charge"))
            .order_by("subscription_id", "month", "type")
        )
        charges = list(
            Charge.objects.filter(company_id=company_id, invoice__isnull=True, date__lte=last).select_related("fee")
        )
        # Usage or a charge on a subscription no longer active in the period still gets its own section.
        missing = (
            {row["subscription_id"] for row in usage_rows}
            | {c.subscription_id for c in charges if c.subscription_id is not None}
            | {row["subscription_id"] for row in late_rows}
        )
        for row in (
            Subscription.objects.unscoped().filter(pk__in=missing - sections.keys()).values(*SUBSCRIPTION_FIELDS)
        ):
            sections[row["id"]] = _section(row, language)
        if any(c.subscription_id is None for c in charges):
            # A charge of no subscription (hardware, a fee): the company's own section, after the users.
            sections[None] = _Section(None, str(_("Other charges"))[:200], "", "", "")
        labels = usage_labels()
        _usage_lines(sections, usage_rows, labels, language=language)
        _late_usage_lines(sections, late_rows, labels, language=language)
        _charge_lines(sections, charges, language=language)

        totals: dict[str, int] = defaultdict(int)
        for section in sections.values():
            for line in section.lines:
                totals[line.kind] += line.amount
        net = sum(totals.values())
        vat = vat_of(net)
        invoice = Invoice.objects.create(
            company_id=company_id,
            number=counter.take(),
            period=period,
            **EInvoiceSettings.references_of(company_id),  # frozen with the invoice: later changes leave it alone
            status=Invoice.Status.ISSUED,
            issue_date=issue_date,
            due_date=due_date_for(issue_date),
            net=net,
            vat=vat,
            total=net + vat,
            subscriptions_net=totals[InvoiceLine.Kind.SUBSCRIPTION] + totals[InvoiceLine.Kind.ADD_ON],
            usage_net=totals[InvoiceLine.Kind.USAGE] + totals[InvoiceLine.Kind.LATE_USAGE],
            one_off_net=totals[InvoiceLine.Kind.ONE_OFF],
            language=language,
        )
        _store(invoice, sorted(sections.values(), key=_section_order))
        if charges:
            Charge.objects.unscoped().filter(pk__in=[c.pk for c in charges]).update(invoice=invoice)
        if late_rows:
            late.update(late_invoice=invoice)
        record(
            "invoice.issued",
            by=by,
            company=company,
            target=invoice,
            details={"period": period, "total": invoice.total, "number": invoice.number},
        )
        # In the invoice's transaction: an issued invoice always gets its PDF and eInvoice, whatever crashes.
        publish(InvoiceIssued(invoice_id=invoice.pk, company_id=invoice.company_id))
    return invoice


SECTION_COLUMNS = "id, invoice_id, subscription_id, user_name, phone_number, product_name, cost_centre, total"
LINE_COLUMNS = "invoice_id, section_id, kind, usage_type, description, description_en, description_da, quantity, amount"


def _store(invoice: Invoice, sections: list[_Section]) -> None:
    """Writes the sections and lines: COPY on PostgreSQL (the 100,000-subscription run), bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('invoicing_invoicesection', 'id')) FROM generate_series(1, %s)",
                [len(sections)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        raw = connection.connection
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY invoicing_invoicesection ({SECTION_COLUMNS}) FROM STDIN") as copy:
                for section_id, s in zip(ids, sections, strict=True):
                    copy.write_row(
                        (
                            section_id,
                            invoice.pk,
                            s.subscription_id,
                            s.user_name,
                            s.phone_number,
                            s.product_name,
                            s.cost_centre,
                            s.total,
                        )
                    )
            with cursor.copy(f"COPY invoicing_invoiceline ({LINE_COLUMNS}) FROM STDIN") as copy:
                for section_id, s in zip(ids, sections, strict=True):
                    for line in s.lines:
                        copy.write_row(
                            (
                                invoice.pk,
                                section_id,
                                line.kind,
                                line.usage_type,
                                line.description,
                                line.description_en,
                                line.description_da,
                                line.quantity,
                                line.amount,
                            )
                        )
        return
    rows = InvoiceSection.objects.bulk_create(
        [
            InvoiceSection(
                invoice=invoice,
                subscription_id=s.subscription_id,
                user_name=s.user_name,
                phone_number=s.phone_number,
                product_name=s.product_name,
                cost_centre=s.cost_centre,
                total=s.total,
            )
            for s in sections
        ],
        batch_size=2000,
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                section=row,
                kind=line.kind,
                usage_type=line.usage_type,
                description=line.description,
                description_en=line.description_en,
                description_da=line.description_da,
                quantity=line.quantity,
                amount=line.amount,
            )
            for row, s in zip(rows, sections, strict=True)
            for line in s.lines
        ],
        batch_size=5000,
    )
