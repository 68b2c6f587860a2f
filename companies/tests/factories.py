from datetime import timedelta

import factory
from django.utils import timezone

from companies.models import AccessRequest, Company, Invitation, Membership
from registry.areas import registry
from registry.demo import cvr_with_check


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Testfirma {n} ApS")
    cvr = factory.Sequence(lambda n: cvr_with_check(f"{2000000 + n * 13:07d}"))
    street = "Vestergade 1"
    postcode = "8000"
    city = "Aarhus C"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory("accounts.tests.factories.UserFactory")
    company = factory.SubFactory(CompanyFactory)
    access = Membership.Access.FULL
    areas = factory.LazyFunction(registry.keys)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    company = factory.SubFactory(CompanyFactory)
    email = factory.Sequence(lambda n: f"invited{n}@example.com")
    access = Membership.Access.FULL
    areas = factory.LazyFunction(registry.keys)
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class AccessRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessRequest

    membership = factory.SubFactory(MembershipFactory, areas=["tickets"])
    company = factory.SelfAttribute("membership.company")
    area = "invoice"
    full = False
