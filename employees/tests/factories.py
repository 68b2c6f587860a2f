import factory

from employees.models import EmployeeRequest
from subscriptions.tests.factories import ProductFactory, SubscriptionFactory


class EmployeeRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmployeeRequest

    subscription = factory.SubFactory(SubscriptionFactory)
    company = factory.SelfAttribute("subscription.company")
    kind = EmployeeRequest.Kind.UPGRADE
    product = factory.SubFactory(ProductFactory)
    email = factory.SelfAttribute("subscription.email")
    language = "en"


URL_KWARGS = {"request_id": lambda company: EmployeeRequestFactory(subscription__company=company).pk}
