import pytest
from django.urls import reverse

from invoicing.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


def test_it_shows_the_latest_invoices_on_the_overview(personas, login):
    own = InvoiceFactory(company=personas.company_a)
    other = InvoiceFactory(company=personas.company_b)

    page = login(personas.admin_a).get(reverse("portal:overview")).content.decode()

    assert str(own.number) in page and str(other.number) not in page
