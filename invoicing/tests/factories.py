import datetime as dt

import factory

from companies.tests.factories import CompanyFactory
from invoicing.models import (
    EInvoiceDelivery,
    EInvoiceRecipient,
    Invoice,
    InvoiceLine,
    InvoiceSection,
    PaymentImport,
    UsageImport,
    UsageRecord,
)
from subscriptions.models import AddOn, OneOffFee, Product, Subscription


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"inv-product-{n}")
    name = factory.Sequence(lambda n: f"Mobile {n} GB")
    name_da = factory.Sequence(lambda n: f"Mobil {n} GB")
    kind = Product.Kind.MOBILE
    monthly_price = 15000  # 150,00 kr.


class AddOnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AddOn

    code = factory.Sequence(lambda n: f"inv-addon-{n}")
    name = factory.Sequence(lambda n: f"EU data {n}")
    name_da = factory.Sequence(lambda n: f"EU-data {n}")
    monthly_price = 4900


class OneOffFeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OneOffFee

    code = factory.Sequence(lambda n: f"inv-fee-{n}")
    name = "SIM card"
    name_da = "SIM-kort"
    price = 9900


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    company = factory.SubFactory(CompanyFactory)
    user_name = factory.Sequence(lambda n: f"Bruger {n:05d}")
    phone_number = factory.Sequence(lambda n: f"+4520{n:06d}")
    product = factory.SubFactory(ProductFactory)
    status = Subscription.Status.ACTIVE
    start_date = dt.date(2025, 1, 1)


class InvoiceFactory(factory.django.DjangoModelFactory):
    """An issued invoice with one user and one line (numbers far above the counter's)."""

    class Meta:
        model = Invoice
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: 900000 + n)
    period = factory.Sequence(lambda n: f"{2020 + n // 12 % 10}-{n % 12 + 1:02d}")
    status = Invoice.Status.ISSUED
    issue_date = dt.date(2026, 11, 1)
    due_date = dt.date(2026, 11, 16)
    net = 15000
    vat = 3750
    total = 18750
    subscriptions_net = 15000

    @factory.post_generation
    def lines(obj, create, extracted, **kwargs):
        if not create:
            return
        for i in range(extracted if extracted is not None else 1):
            section = InvoiceSection.objects.create(
                invoice=obj, user_name=f"Bruger {i:05d}", phone_number=f"+45301{i:05d}", total=15000
            )
            InvoiceLine.objects.create(
                invoice=obj,
                section=section,
                kind=InvoiceLine.Kind.SUBSCRIPTION,
                description="Mobil 30 GB",
                quantity=30,
                amount=15000,
            )
            InvoiceLine.objects.create(
                invoice=obj,
                section=section,
                kind=InvoiceLine.Kind.USAGE,
                usage_type=UsageRecord.Type.DATA,
                description="Data",
                quantity=2048,
                amount=0,
            )


class EInvoiceRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EInvoiceRecipient

    company = factory.SubFactory(CompanyFactory)
    email = factory.Sequence(lambda n: f"faktura{n}@example.dk")


URL_KWARGS = {
    "invoice_id": lambda company: InvoiceFactory(company=company).pk,
    "recipient_id": lambda company: EInvoiceRecipientFactory(company=company).pk,
    "delivery_id": lambda company: (
        EInvoiceDelivery.objects.create(
            company=company, invoice=InvoiceFactory(company=company), email="x@example.com", status="failed"
        ).pk
    ),
    # Staff pages (not company-owned): the walkers check that customers get 404 there.
    "usage_import_id": lambda company: UsageImport.objects.create(filename="usage.csv", status="done").pk,
    "payment_import_id": lambda company: PaymentImport.objects.create(filename="bank.csv", status="done").pk,
}
