import pytest
from django.urls import reverse

from invoicing.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("users", [2, 60])
def test_it_uses_a_fixed_number_of_queries(personas, login, django_assert_num_queries, users):
    invoice = InvoiceFactory(company=personas.company_a, lines=users)
    client = login(personas.admin_a)
    url = reverse("invoice:detail", args=[invoice.pk])
    client.get(url)
    # session, user (memberships from the session), invoice, count, sections, lines, payments, failed eInvoice deliveries, all deliveries
    # and no session save (at most one a minute: portal.middleware.SlidingSessionMiddleware)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200


def test_it_shows_fee_and_use_per_user(personas, login):
    invoice = InvoiceFactory(company=personas.company_a, lines=2)
    page = login(personas.admin_a).get(reverse("invoice:detail", args=[invoice.pk])).content.decode()
    assert "Bruger 00000" in page and "Bruger 00001" in page
    assert "150.00" in page
    assert "2.00" in page or "2,00" in page  # 2048 MB = 2,00 GB


def test_it_searches_by_name_or_number(personas, login):
    invoice = InvoiceFactory(company=personas.company_a, lines=3)
    client = login(personas.admin_a)
    url = reverse("invoice:detail", args=[invoice.pk])

    by_name = client.get(url, {"q": "bruger 00002"}).content.decode()
    by_number = client.get(url, {"q": "30 1000 01"}).content.decode()

    assert "Bruger 00002" in by_name and "Bruger 00001" not in by_name
    assert "Bruger 00001" in by_number and "Bruger 00002" not in by_number


def test_it_downloads_the_details_as_csv(personas, login):
    invoice = InvoiceFactory(company=personas.company_a, lines=2)
    response = login(personas.admin_a).get(reverse("invoice:details_csv", args=[invoice.pk]))
    body = b"".join(response.streaming_content).decode()

    assert response["Content-Type"].startswith("text/csv")
    assert body.startswith("\ufeffUser;Phone number")
    assert "Bruger 00001;30 10 00 01;" in body and ";150,00" in body
    assert body.count("\n") == 1 + 2 * 2


def test_it_answers_404_for_another_companys_invoice(personas, login):
    invoice = InvoiceFactory(company=personas.company_b)
    client = login(personas.admin_a)
    for name in ["invoice:detail", "invoice:details_csv", "invoice:pdf", "invoice:ubl"]:
        assert client.get(reverse(name, args=[invoice.pk])).status_code == 404


def test_it_neutralises_spreadsheet_formulas_in_the_details_csv(personas, login):
    """User names and cost centres are typed by customers: "=HYPERLINK(...)" must stay text in Excel."""
    from invoicing.models import InvoiceSection

    invoice = InvoiceFactory(company=personas.company_a, lines=2)
    InvoiceSection.objects.filter(invoice=invoice, user_name="Bruger 00000").update(
        user_name='=HYPERLINK("http://evil.example","x")', cost_centre="+1+1"
    )
    response = login(personas.admin_a).get(reverse("invoice:details_csv", args=[invoice.pk]))
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(" in body and "'+1+1" in body
    assert ";=HYPERLINK" not in body and "\n=HYPERLINK" not in body
    assert "Bruger 00001;30 10 00 01;" in body


@pytest.mark.parametrize("name", ["invoice:detail", "invoice:details_csv"])
def test_it_searches_with_a_nul_byte_without_a_server_error(personas, login, name):
    """PostgreSQL refuses NUL bytes in text parameters (a DataError, so a 500)."""
    invoice = InvoiceFactory(company=personas.company_a, lines=2)
    response = login(personas.admin_a).get(reverse(name, args=[invoice.pk]), {"q": "bruger\x00 00001"})
    assert response.status_code == 200
    if name == "invoice:details_csv":
        assert "Bruger 00001" in b"".join(response.streaming_content).decode()


def test_a_danish_admin_gets_the_details_csv_in_danish(personas, login):
    personas.admin_a.language = "da"
    personas.admin_a.save()
    invoice = InvoiceFactory(company=personas.company_a, lines=1)
    response = login(personas.admin_a).get(reverse("invoice:details_csv", args=[invoice.pk]))
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeffBruger;Telefonnummer")


def test_phone_numbers_read_as_on_the_subscriptions_list(personas, login):
    invoice = InvoiceFactory(company=personas.company_a, lines=2)
    page = login(personas.admin_a).get(reverse("invoice:detail", args=[invoice.pk])).content.decode()
    assert "30 10 00 01" in page and "+4530100001" not in page
