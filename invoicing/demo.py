"""Demo data: 12 months of plausible usage and issued invoices for the demo companies."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from audit.actor import Actor
from companies.models import Company
from invoicing.billing import bill_company, billable_subscriptions, period_bounds
from invoicing.models import (
    Charge,
    EInvoiceDelivery,
    EInvoiceRecipient,
    EInvoiceSettings,
    Invoice,
    InvoiceCounter,
    Payment,
    UsageRecord,
)
from invoicing.money import parse_period, period_of
from registry.demo import DemoContext
from subscriptions import catalogue
from subscriptions.models import Product, Subscription

# Per type: (records per month range, quantity range per record, øre per unit)
USAGE_PROFILE = {
    UsageRecord.Type.VOICE: ((2, 6), (5, 90), 0),  # included in most plans: charged only above the plan
    UsageRecord.Type.SMS: ((1, 4), (3, 40), 0),
    UsageRecord.Type.DATA: ((2, 6), (200, 4000), 0),
    UsageRecord.Type.ROAMING: ((0, 2), (10, 300), 150),
    UsageRecord.Type.PREMIUM: ((0, 1), (1, 3), 2500),
}
FALLBACK_USERS = [
    "Mette Nielsen",
    "Lars Poulsen",
    "Sofie Kristensen",
    "Jens Madsen",
    "Ida Thomsen",
    "Peter Rasmussen",
    "Camilla Jørgensen",
    "Niels Pedersen",
]


def last_periods(today: dt.date, months: int = 12) -> list[str]:
    periods, day = [], today.replace(day=1)
    for _ in range(months):
        day = (day - dt.timedelta(days=1)).replace(day=1)
        periods.append(period_of(day))
    return list(reversed(periods))


def _fallback_subscriptions(ctx: DemoContext, company: Company, count: int) -> None:
    """Only when no subscriptions seeder has run: a few users so invoices are not empty."""
    product = Product.objects.filter(kind=Product.Kind.MOBILE).order_by("monthly_price").first()
    if product is None:
        product, _ = Product.objects.get_or_create(
            code="mobil-fri-tale-30gb",
            defaults={
                "name": "Mobile Unlimited 30 GB",
                "name_da": "Mobil Fri Tale 30 GB",
                "kind": Product.Kind.MOBILE,
                "data_gb": 30,
                "monthly_price": 14900,
            },
        )
    start = timezone.localdate().replace(day=1) - dt.timedelta(days=420)
    for i in range(count):
        Subscription.objects.create(
            company=company,
            user_name=FALLBACK_USERS[i % len(FALLBACK_USERS)],
            product=product,
            phone_number=f"+4520{company.pk:02d}{i:04d}"[:11],
            status=Subscription.Status.ACTIVE,
            start_date=start + dt.timedelta(days=ctx.rng.randint(0, 200)),
        )


def seed_invoicing(ctx: DemoContext) -> None:
    InvoiceCounter.objects.get_or_create(name="invoice")
    periods = last_periods(timezone.localdate())
    by = Actor.system("demo data")
    for key, company in ctx.companies.items():
        if not Subscription.objects.filter(company=company).exists():
            _fallback_subscriptions(ctx, company, 8 if key != "nordlys" else 24)
        channel, recipient = _einvoice_setup(company, key)
        for index, period in enumerate(periods):
            if Invoice.objects.filter(company=company, period=period).exists():
                continue
            first, last = parse_period(period)
            _usage(ctx, company, first, last)
            if index == 3:
                _sim_card_charge(company, first, last)
            issue = last + dt.timedelta(days=1)
            invoice = bill_company(company.pk, period, by=by, issue_date=issue)
            if invoice is None:
                continue
            _settle(invoice, key, months_ago=len(periods) - 1 - index)
            _deliveries(invoice, issue, channel, recipient)
    ctx.log(f"{Invoice.objects.unscoped().count()} invoices, {UsageRecord.objects.unscoped().count()} usage records")


def _einvoice_setup(company: Company, key: str) -> tuple[str | None, EInvoiceRecipient | None]:
    """EAN companies take Peppol through the (fake) access point, with their references; they and the
    bakery also have a confirmed e-mail recipient. Returns (channel, recipient)."""
    channel = EInvoiceSettings.Channel.PEPPOL if company.ean else None
    if channel is not None:
        EInvoiceSettings.objects.get_or_create(
            company=company,
            defaults={
                "channel": channel,
                "order_reference": f"RAMME-{company.cvr[:4]}",
                "contact_reference": "Bogholderiet",
                "accounting_cost": "4410",
            },
        )
    recipient = None
    if company.ean or key == "bager":
        recipient, _ = EInvoiceRecipient.objects.get_or_create(
            company=company, email=f"faktura@{key}.example", defaults={"confirmed_at": timezone.now()}
        )
    return channel, recipient


def _sim_card_charge(company: Company, first: dt.date, last: dt.date) -> None:
    sub = billable_subscriptions(first, last).filter(company=company).first()
    if sub is not None:
        # The catalogue's SIM card fee: named in the reader's language on the invoice page (a typed
        # description would read the same in both).
        sim = catalogue.fee("sim-kort")
        Charge.objects.create(
            company=company,
            subscription=sub,
            fee=sim,
            description=sim.name if sim else "SIM card",
            amount=sim.price if sim else 9900,
            date=first + dt.timedelta(days=4),
        )


def _settle(invoice: Invoice, key: str, *, months_ago: int) -> None:
    """Older invoices are paid; last month's is overdue for three companies (half paid for two of them)."""
    if months_ago == 1 and key in ("bager", "nordlys", "energi"):
        if key != "bager":  # paid half, the rest is overdue
            _paid(invoice, invoice.total // 2, invoice.due_date - dt.timedelta(days=1))
        invoice.status = Invoice.Status.OVERDUE
    elif months_ago > 0:
        _paid(invoice, invoice.total, invoice.due_date - dt.timedelta(days=2))
        invoice.status = Invoice.Status.PAID
    invoice.save(update_fields=["status", "paid_amount"])


def _deliveries(invoice: Invoice, issue: dt.date, channel: str | None, recipient: EInvoiceRecipient | None) -> None:
    sent_at = dt.datetime.combine(issue, dt.time(6, 30), tzinfo=dt.UTC)
    if channel is not None:
        EInvoiceDelivery.objects.get_or_create(
            company_id=invoice.company_id,
            invoice=invoice,
            email="",
            defaults={
                "channel": channel,
                "status": EInvoiceDelivery.Status.ACKNOWLEDGED,
                "attempts": 1,
                "message_id": f"demo-{invoice.number}",
                "sent_at": sent_at,
            },
        )
    if recipient is not None:
        # History: these were e-mailed when issued (the task skips rows already sent).
        EInvoiceDelivery.objects.get_or_create(
            company_id=invoice.company_id,
            invoice=invoice,
            email=recipient.email,
            defaults={"status": EInvoiceDelivery.Status.SENT, "attempts": 1, "sent_at": sent_at},
        )


def _paid(invoice: Invoice, amount: int, day: dt.date) -> None:
    Payment.objects.create(
        company_id=invoice.company_id,
        invoice=invoice,
        amount=amount,
        paid_on=day,
        reference=f"FIK 71 {invoice.number}",
        created_by_label="demo data",
    )
    invoice.paid_amount += amount


def _demo_zone(ctx: DemoContext, usage_type: str) -> str:
    if usage_type != UsageRecord.Type.ROAMING:
        return UsageRecord.Zone.NONE
    return UsageRecord.Zone.EU if ctx.rng.random() < 0.7 else UsageRecord.Zone.WORLD


def _usage(ctx: DemoContext, company: Company, first: dt.date, last: dt.date) -> None:
    start, end = period_bounds(first, last)
    if UsageRecord.objects.filter(company=company, time__gte=start, time__lt=end).exists():
        return
    records = []
    seconds = int((end - start).total_seconds())
    for sub in billable_subscriptions(first, last).filter(company=company).only("pk", "company_id"):
        for usage_type, ((n_lo, n_hi), (q_lo, q_hi), ore_per_unit) in USAGE_PROFILE.items():
            for _ in range(ctx.rng.randint(n_lo, n_hi)):
                quantity = ctx.rng.randint(q_lo, q_hi)
                charge = quantity * ore_per_unit
                if usage_type in (UsageRecord.Type.VOICE, UsageRecord.Type.DATA) and ctx.rng.random() < 0.05:
                    charge = quantity * 25  # a little above the plan now and then
                records.append(
                    UsageRecord(
                        company_id=company.pk,
                        subscription_id=sub.pk,
                        type=usage_type,
                        quantity=Decimal(quantity),
                        charge=charge,
                        time=start + dt.timedelta(seconds=ctx.rng.randrange(seconds)),
                        zone=_demo_zone(ctx, usage_type),
                    )
                )
    UsageRecord.objects.bulk_create(records, batch_size=5000)
