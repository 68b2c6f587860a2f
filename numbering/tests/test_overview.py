import pytest
from django.urls import reverse

from numbering.tests.factories import PhoneNumberFactory, PortRequestFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_it_shows_the_companys_numbers(personas, login):
    PhoneNumberFactory(company=personas.company_a, number="+4533150000", kind="main")
    PhoneNumberFactory(company=personas.company_a, number="+4533150001")
    PhoneNumberFactory(company=personas.company_b, number="+4544000000")
    SubscriptionFactory(company=personas.company_a, phone_number="+4520304050", user_name="Mette Mobil")
    SubscriptionFactory(company=personas.company_b, phone_number="+4520304051", user_name="Fremmed Person")
    PortRequestFactory(company=personas.company_a, status="pending", numbers=["+4586000001"])
    client = login(personas.admin_a)
    html = client.get(reverse("numbers:index")).content.decode()
    assert "33 15 00 00" in html and "33 15 00 01" in html
    assert "44 00 00 00" not in html
    assert "86 00 00 01" in html and 'data-testid="porting-row"' in html
    assert "1 mobile number" in html
    mobile = client.get(reverse("numbers:mobile_numbers")).content.decode()
    assert "Mette Mobil" in mobile and "20 30 40 50" in mobile
    assert "Fremmed Person" not in mobile


def test_it_adds_a_section_to_the_overview_page(personas, login):
    PhoneNumberFactory(company=personas.company_a, number="+4533150000", kind="main")
    html = login(personas.admin_a).get(reverse("portal:overview")).content.decode()
    assert 'data-testid="numbers-section"' in html and "33 15 00 00" in html


def test_it_links_to_a_pre_filled_ticket(personas, login):
    html = login(personas.admin_a).get(reverse("numbers:index")).content.decode()
    assert "/tickets/new/?category=numbers&amp;subject=" in html


@pytest.mark.parametrize("size", [1, 40])
def test_it_shows_the_overview_in_fixed_queries(personas, login, django_assert_num_queries, size):
    PhoneNumberFactory(company=personas.company_a, kind="main")
    PhoneNumberFactory.create_batch(size, company=personas.company_a)
    PortRequestFactory(company=personas.company_a, status="submitted", numbers=["+4586000001", "+4586000002"])
    client = login(personas.admin_a)
    client.get(reverse("numbers:index"))
    with django_assert_num_queries(9):
        response = client.get(reverse("numbers:index"))
    assert len(response.context["landlines"]) == min(size, 25)


@pytest.mark.parametrize("size", [1, 40])
def test_it_lists_mobile_numbers_in_fixed_queries(personas, login, django_assert_num_queries, size):
    SubscriptionFactory.create_batch(size, company=personas.company_a)
    client = login(personas.admin_a)
    client.get(reverse("numbers:mobile_numbers"))
    with django_assert_num_queries(4):
        response = client.get(reverse("numbers:mobile_numbers"))
    assert len(response.context["page"]) == min(size, 25)
