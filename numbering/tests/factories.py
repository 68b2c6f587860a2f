import datetime

import factory
from django.db.models import Max
from django.utils import timezone

from companies.tests.factories import CompanyFactory
from numbering import flows
from numbering.models import CallFlowVersion, PhoneNumber, PortNumber, PortRequest, ScheduledFlowChange
from numbering.porting import earliest_porting_date, next_working_day
from subscriptions.models import Product, Subscription


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("code",)

    code = "numbers-test-mobile"
    name = "Mobil Erhverv"
    kind = Product.Kind.MOBILE
    monthly_price = 14900


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    company = factory.SubFactory(CompanyFactory)
    user_name = factory.Sequence(lambda n: f"Medarbejder {n}")
    phone_number = factory.Sequence(lambda n: f"+452{n:07d}")
    product = factory.SubFactory(ProductFactory)
    status = Subscription.Status.ACTIVE
    start_date = datetime.date(2025, 1, 1)


class PhoneNumberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhoneNumber

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: f"+4533{n:06d}")
    kind = PhoneNumber.Kind.LANDLINE


class PortRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PortRequest
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    status = PortRequest.Status.DRAFT
    current_operator = "telia"
    customer_number = "TL-1234"
    holder_name = "Alfa ApS"
    holder_street = "Vestergade 1"
    holder_postcode = "8000"
    holder_city = "Aarhus C"
    cvr = "13585628"
    desired_date = factory.LazyFunction(lambda: next_working_day(earliest_porting_date() + datetime.timedelta(days=6)))
    notification_emails = "it@alfa.dk"
    authorisation_method = PortRequest.Authorisation.SIGNED
    signed_name = "Anne Admin"
    signed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def numbers(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            for number in extracted if extracted is not None else [f"+4586{obj.pk:06d}"]:
                PortNumber.objects.create(port_request=obj, number=number)


def flow_document(member_ids: list[int]) -> dict:
    document = flows.default_document()
    document["hours"] = {str(d): ([["08:00", "12:00"], ["12:30", "16:00"]] if d < 5 else []) for d in range(7)}
    document["destinations"] = {
        "menu": {
            "type": "ivr",
            "name": "Menu",
            "greeting": "Tast 1 for salg",
            "options": {"1": "sales", "2": "mobile"},
            "timeout": 5,
            "max_tries": 2,
            "timeout_dest": "sales",
            "invalid_dest": "menu",
        },
        "sales": {
            "type": "ring_group",
            "name": "Salg",
            "members": member_ids,
            "strategy": "in_order",
            "ring_time": 20,
            "overflow": "voicemail",
        },
        "voicemail": {"type": "voicemail", "name": "Svarer", "email": "post@alfa.dk"},
        "closed": {"type": "announcement", "name": "Lukket", "text": "Vi har lukket."},
        "mobile": {"type": "forward", "name": "Vagt", "number": "+4520123456"},
    }
    document["routes"] = {"open": "menu", "closed": "voicemail", "holiday": "closed"}
    return document


class CallFlowVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallFlowVersion

    company = factory.SubFactory(CompanyFactory)
    # The company's next version, so that a company that already has a flow (the demo data) gets one more.
    version = factory.LazyAttribute(
        lambda o: (CallFlowVersion.objects.filter(company=o.company).aggregate(v=Max("version"))["v"] or 0) + 1
    )
    document = factory.LazyAttribute(lambda o: flow_document([SubscriptionFactory(company=o.company).pk]))


def scheduled_change(company):  # type: ignore[no-untyped-def]
    version = CallFlowVersionFactory(company=company)
    return ScheduledFlowChange.objects.create(
        company=company,
        document=version.document,
        source_version=version,
        take_effect_at=timezone.now() + datetime.timedelta(days=1),
    )


URL_KWARGS = {
    "port_id": lambda company: PortRequestFactory(company=company).pk,
    "version_id": lambda company: CallFlowVersionFactory(company=company).pk,
    "change_id": lambda company: scheduled_change(company).pk,
}
