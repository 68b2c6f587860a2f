import factory

from companies.tests.factories import CompanyFactory
from guardrails.actions import this_month
from guardrails.models import Policy, RaiseRequest
from subscriptions.tests.factories import SubscriptionFactory


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy

    company = factory.SubFactory(CompanyFactory)
    scope = Policy.Scope.COST_CENTRE
    cost_centre = factory.Sequence(lambda n: f"CC{n}")
    spend_cap = 50000


def _raise_request(company):
    sub = SubscriptionFactory(company=company)
    return RaiseRequest.objects.create(
        company=company, subscription=sub, month=this_month(), metric="data", amount=1024, reason="Trip"
    ).pk


URL_KWARGS = {
    "raise_request_id": _raise_request,
    "policy_id": lambda company: PolicyFactory(company=company).pk,
    "subscription_id": lambda company: SubscriptionFactory(company=company).pk,
}
