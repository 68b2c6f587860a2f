"""Every download is a company's private document: never stored by the browser or a proxy."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from invoicing.tests.factories import InvoiceFactory
from numbering.models import PortRequest
from numbering.tests.conftest import PDF
from numbering.tests.test_port_views import form_data

pytestmark = pytest.mark.django_db

NO_STORE = "no-store, private"


def test_invoice_pdf_csv_and_ubl_downloads_are_not_cached(personas, login):
    personas.company_a.ean = "5790001330583"
    personas.company_a.save()
    invoice = InvoiceFactory(company=personas.company_a, lines=2)
    client = login(personas.admin_a)
    for name in ["invoice:details_csv", "invoice:pdf", "invoice:ubl"]:
        response = client.get(reverse(name, args=[invoice.pk]))
        assert response.status_code == 200, name
        assert response["Cache-Control"] == NO_STORE, name


def test_the_subscription_overview_csv_is_not_cached(personas, login):
    response = login(personas.admin_a).get(reverse("subscriptions:export"))
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_the_porting_authorisation_is_not_cached_for_the_company_or_staff(personas, login):
    data = form_data(
        authorisation_method="upload",
        signed_name="",
        consent="",
        authorisation_file=SimpleUploadedFile("fuldmagt.pdf", PDF, content_type="application/pdf"),
    )
    login(personas.admin_a).post(reverse("numbers:port_new"), data)
    port = PortRequest.all_companies.get()
    response = login(personas.admin_a).get(reverse("numbers:port_authorisation", kwargs={"port_id": port.pk}))
    assert response["Cache-Control"] == NO_STORE
    response = login(personas.staff).get(reverse("numbers:staff_port_authorisation", kwargs={"port_id": port.pk}))
    assert response["Cache-Control"] == NO_STORE


def test_ordinary_pages_keep_their_headers(personas, login):
    assert "no-store" not in login(personas.admin_a).get(reverse("portal:overview")).get("Cache-Control", "")
