import factory

from companies.models import Company, Membership
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
