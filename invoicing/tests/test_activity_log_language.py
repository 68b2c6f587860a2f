"""The activity log in the reader's language: system jobs, invoices and catalogue fees are named again
when the page is shown, whatever language the event was written in."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from audit.actor import Actor
from audit.events import record
from invoicing.actions import add_charge
from invoicing.tests.factories import InvoiceFactory, OneOffFeeFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def _log(login, user, language):
    user.language = language
    user.save(update_fields=["language"])
    return login(user).get(reverse("audit:list")).content.decode()


@pytest.fixture
def events(personas):
    company = personas.company_a
    sub = SubscriptionFactory(company=company, user_name="Mette Nielsen", phone_number="+4521104729")
    # Written by background work, which runs in English.
    record("subscription.activated", by=Actor.system("provisioning"), company=company, target=sub)
    fee = OneOffFeeFactory(name="eSIM profile", name_da="eSIM-profil", price=4900)
    add_charge(subscription=sub, fee=fee, by=Actor(user=personas.admin_a))
    # Written during a Danish admin's request.
    invoice = InvoiceFactory(company=company)
    with translation.override("da"):
        record("invoice.issued", by=Actor.system("run_billing command"), company=company, target=invoice)
    return invoice


def test_the_danish_log_has_no_english_labels(events, personas, login):
    page = _log(login, personas.admin_a, "da")
    assert "automatisk aktivering" in page and "provisioning" not in page
    assert "eSIM-profil" in page and "eSIM profile" not in page
    assert "faktureringskørsel" in page and "run_billing command" not in page
    assert f"Faktura {events.number}" in page
    assert "Mette Nielsen (21 10 47 29)" in page


def test_the_english_log_has_no_danish_labels(events, personas, login):
    page = _log(login, personas.admin_a, "en")
    assert "automatic activation" in page
    assert "eSIM profile" in page and "eSIM-profil" not in page
    assert f"Invoice {events.number}" in page and f"Faktura {events.number}" not in page


def test_naming_the_targets_costs_the_same_queries_for_1_or_11_invoices(events, personas, login):
    client = login(personas.admin_a)
    client.get(reverse("audit:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("audit:list"))
    for _ in range(10):
        invoice = InvoiceFactory(company=personas.company_a)
        record("invoice.issued", by=Actor.system(), company=personas.company_a, target=invoice)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("audit:list")).content.decode()
    assert page.count("Invoice ") >= 11
    assert len(many) == len(few)
