import datetime

import factory

from companies.tests.factories import CompanyFactory
from subscriptions.identifiers import iccid_with_check
from subscriptions.models import AddOn, BulkJob, Product, Subscription


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"mobil-{n}")
    name = factory.Sequence(lambda n: f"Mobile {n} GB")
    name_da = factory.Sequence(lambda n: f"Mobil {n} GB")
    kind = Product.Kind.MOBILE
    data_gb = 10
    monthly_price = 14900
    notice_days = 30


class AddOnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AddOn

    code = factory.Sequence(lambda n: f"addon-{n}")
    name = factory.Sequence(lambda n: f"Add-on {n}")
    monthly_price = 4900


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    user_name = factory.Sequence(lambda n: f"Bruger {n}")
    email = factory.Sequence(lambda n: f"bruger{n}@firma.dk")
    phone_number = factory.Sequence(lambda n: f"+4520{n:06d}")
    product = factory.SubFactory(ProductFactory)
    status = Subscription.Status.ACTIVE
    start_date = factory.LazyFunction(lambda: datetime.date(2025, 1, 1))
    sim_type = Subscription.SimType.PHYSICAL
    iccid = factory.Sequence(lambda n: iccid_with_check(f"89450100{n:010d}"))
    cost_centre = "Salg"

    @factory.post_generation
    def secrets(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        obj.pin = "1234"
        obj.puk = "87654321"
        if create:
            obj.save(update_fields=["pin_encrypted", "puk_encrypted"])


class BulkJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BulkJob

    company = factory.SubFactory(CompanyFactory)
    action = BulkJob.Action.COST_CENTRE
    cost_centre = "IT"
    total = 0


URL_KWARGS = {
    "subscription_id": lambda company: SubscriptionFactory(company=company).pk,
    "bulk_job_id": lambda company: BulkJobFactory(company=company).pk,
}
