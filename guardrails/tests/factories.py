import factory

from companies.tests.factories import CompanyFactory
from guardrails.models import Policy
from subscriptions.tests.factories import SubscriptionFactory


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy

    company = factory.SubFactory(CompanyFactory)
    scope = Policy.Scope.COST_CENTRE
    cost_centre = factory.Sequence(lambda n: f"CC{n}")
    spend_cap = 50000


URL_KWARGS = {
    "policy_id": lambda company: PolicyFactory(company=company).pk,
    "subscription_id": lambda company: SubscriptionFactory(company=company).pk,
}
