"""Delivery through an access point: the adapter, the delivery status on the invoice and in the log."""

import datetime as dt
import io
import json
import urllib.error
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from lxml import etree

from invoicing.access_point import AccessPointError, Envelope, FakeAccessPoint, HttpAccessPoint
from invoicing.actions import update_einvoice_settings
from invoicing.billing import run_billing
from invoicing.models import EInvoiceDelivery, Invoice
from invoicing.tasks import deliver_to_access_point, refresh_access_point_status
from invoicing.tests.factories import SubscriptionFactory
from invoicing.ubl import NS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fake_access_point(settings):
    FakeAccessPoint.outbox.clear()
    settings.EINVOICE_ACCESS_POINT = {"BACKEND": "invoicing.access_point.FakeAccessPoint"}
    return settings


@pytest.fixture
def bill(system, django_capture_on_commit_callbacks):
    def run(company, channel):
        update_einvoice_settings(
            company=company, order_reference="", contact_reference="", accounting_cost="", channel=channel, by=system
        )
        SubscriptionFactory(company=company)
        with django_capture_on_commit_callbacks(execute=True):
            run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
        return Invoice.all_companies.get(company=company)

    return run


@pytest.mark.parametrize(("channel", "customization"), [("peppol", "urn:cen.eu:en16931"), ("oioubl", "OIOUBL-2.1")])
def test_an_issued_invoice_goes_to_the_access_point_in_the_chosen_format(personas, bill, channel, customization):
    invoice = bill(personas.company_a, channel)

    delivery = EInvoiceDelivery.all_companies.get(invoice=invoice)
    assert (delivery.channel, delivery.status, delivery.email) == (channel, "sent", "")
    [envelope] = FakeAccessPoint.outbox
    assert (envelope.receiver, envelope.scheme, envelope.document_format) == (personas.company_a.cvr, "0184", channel)
    root = etree.fromstring(envelope.document)
    assert root.findtext("cbc:CustomizationID", namespaces=NS).startswith(customization)
    assert refresh_access_point_status.call(delivery.pk) == "acknowledged"


def test_a_delivery_re_run_after_its_worker_died_is_not_handed_over_twice(personas, bill):
    invoice = bill(personas.company_a, "peppol")
    delivery = EInvoiceDelivery.all_companies.get(invoice=invoice)
    # The worker was killed after the access point took the document but before its commit: the row says
    # pending again, and the task re-runs.
    EInvoiceDelivery.all_companies.filter(pk=delivery.pk).update(status="pending", attempts=0, message_id="")

    deliver_to_access_point.call(delivery.pk)

    assert len(FakeAccessPoint.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.message_id == f"fake-1-{invoice.number}"


def test_no_access_point_delivery_without_the_choice(personas, bill):
    invoice = bill(personas.company_a, "none")
    assert not EInvoiceDelivery.all_companies.filter(invoice=invoice).exists()
    assert FakeAccessPoint.outbox == []


def test_a_rejection_shows_the_receivers_reason_on_the_invoice_and_in_the_log(personas, bill, login, settings):
    settings.EINVOICE_ACCESS_POINT = {
        "BACKEND": "invoicing.access_point.FakeAccessPoint",
        "OPTIONS": {"REJECT": {personas.company_a.cvr: "Ukendt ordrenummer"}},
    }
    invoice = bill(personas.company_a, "peppol")
    delivery = EInvoiceDelivery.all_companies.get(invoice=invoice)
    call_command("retry_einvoices")  # queues the status check (run at once by the test task backend)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.receiver_reason) == ("rejected", "Ukendt ordrenummer")

    client = login(personas.admin_a)
    detail = client.get(reverse("invoice:detail", args=[invoice.pk])).content.decode()
    assert "Ukendt ordrenummer" in detail
    log = client.get(reverse("invoice:einvoice")).content.decode()
    assert 'data-testid="receiver-reason"' in log and "Ukendt ordrenummer" in log


def test_an_unavailable_access_point_is_retried_and_then_fails(personas, bill, settings):
    settings.EINVOICE_ACCESS_POINT = {"BACKEND": "invoicing.access_point.FakeAccessPoint", "OPTIONS": {"FAIL": True}}
    invoice = bill(personas.company_a, "oioubl")
    delivery = EInvoiceDelivery.all_companies.get(invoice=invoice)
    assert delivery.status == "pending" and delivery.last_error
    for _ in range(6):
        deliver_to_access_point.call(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 5)
    settings.EINVOICE_ACCESS_POINT = {"BACKEND": "invoicing.access_point.FakeAccessPoint"}
    deliver_to_access_point.call(delivery.pk)  # final: never sent twice, not even after a failure
    assert FakeAccessPoint.outbox == []


def _response(payload):
    response = mock.MagicMock()
    response.__enter__.return_value.read.return_value = json.dumps(payload).encode()
    return response


def test_the_http_adapter_posts_the_document_and_reads_the_status():
    access_point = HttpAccessPoint(URL="https://ap.example/api/", TOKEN="secret")
    envelope = Envelope(
        document=b"<Invoice/>",
        document_format="peppol",
        receiver="5790001330583",
        scheme="0088",
        number=100001,
        key="delivery-7",
    )
    with mock.patch("urllib.request.urlopen", return_value=_response({"id": "m-1", "status": "sent"})) as urlopen:
        receipt = access_point.send(envelope)
    request = urlopen.call_args.args[0]
    assert (request.full_url, request.get_method(), request.data) == (
        "https://ap.example/api/documents",
        "POST",
        b"<Invoice/>",
    )
    assert request.get_header("Authorization") == "Bearer secret"
    assert request.get_header("X-receiver-id") == "5790001330583"
    assert request.get_header("Idempotency-key") == "delivery-7"
    assert receipt.message_id == "m-1" and receipt.status == "sent"
    with mock.patch(
        "urllib.request.urlopen", return_value=_response({"id": "m-1", "status": "rejected", "reason": "Wrong EAN"})
    ):
        assert access_point.status("m-1").reason == "Wrong EAN"


def test_the_http_adapter_retries_server_errors_and_takes_a_4xx_as_final():
    access_point = HttpAccessPoint(URL="https://ap.example/api")
    envelope = Envelope(document=b"<Invoice/>", document_format="oioubl", receiver="12345674", scheme="0184", number=1)
    error = urllib.error.HTTPError("u", 503, "busy", {}, io.BytesIO(b""))
    with mock.patch("urllib.request.urlopen", side_effect=error), pytest.raises(AccessPointError):
        access_point.send(envelope)
    refused = urllib.error.HTTPError("u", 422, "bad", {}, io.BytesIO(b"Schematron: BR-27"))
    with mock.patch("urllib.request.urlopen", side_effect=refused):
        receipt = access_point.send(envelope)
    assert (receipt.status, receipt.reason) == ("rejected", "Schematron: BR-27")
