"""A ticket can be about an invoice or a port request of the active company (besides a subscription)."""

import uuid

import pytest
from django.urls import reverse

from audit.actor import Actor
from audit.models import AuditEvent
from invoicing.tests.factories import InvoiceFactory
from numbering.tests.factories import PortRequestFactory
from tickets import actions
from tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db


def _data(**overrides):
    return {
        "category": Category.INVOICE,
        "subject": "Forkert beløb",
        "description": "Beløbet på fakturaen er forkert.",
        "priority": "normal",
        "submission_token": str(uuid.uuid4()),
        **overrides,
    }


def test_it_offers_only_the_active_companys_invoices_and_port_requests(personas, login):
    own_invoice, foreign_invoice = (
        InvoiceFactory(company=personas.company_a),
        InvoiceFactory(company=personas.company_b),
    )
    own_port, foreign_port = (
        PortRequestFactory(company=personas.company_a),
        PortRequestFactory(company=personas.company_b),
    )
    form = login(personas.admin_a).get(reverse("tickets:create")).context["form"]
    assert list(form.fields["related_invoice"].queryset) == [own_invoice]
    assert list(form.fields["related_port_request"].queryset) == [own_port]
    assert foreign_invoice not in form.fields["related_invoice"].queryset
    assert foreign_port not in form.fields["related_port_request"].queryset


def test_it_relates_a_ticket_to_an_invoice_and_a_port_request_and_links_them(personas, login):
    invoice = InvoiceFactory(company=personas.company_a)
    port = PortRequestFactory(company=personas.company_a, status="submitted")
    client = login(personas.admin_a)
    response = client.post(reverse("tickets:create"), _data(related_invoice=invoice.pk, related_port_request=port.pk))
    ticket = Ticket.all_companies.get()
    assert response.status_code == 302
    assert (ticket.related_invoice, ticket.related_port_request) == (invoice, port)
    event = AuditEvent.all_companies.get(action="ticket.created")
    assert (event.details["invoice"], event.details["port_request"]) == (invoice.number, port.reference)
    page = client.get(reverse("tickets:detail", kwargs={"ticket_id": ticket.pk})).content.decode()
    assert reverse("invoice:detail", kwargs={"invoice_id": invoice.pk}) in page
    assert reverse("numbers:port_detail", kwargs={"port_id": port.pk}) in page
    assert port.reference in page and str(invoice.number) in page
    # Staff see the relation too, with their own link to the port request.
    staff_page = login(personas.staff).get(reverse("tickets:staff_detail", kwargs={"ticket_id": ticket.pk}))
    assert reverse("numbers:staff_port", kwargs={"port_id": port.pk}) in staff_page.content.decode()


@pytest.mark.parametrize("field", ["related_invoice", "related_port_request"])
def test_it_refuses_another_companys_id_with_a_form_error(personas, login, field):
    foreign = (InvoiceFactory if field == "related_invoice" else PortRequestFactory)(company=personas.company_b)
    response = login(personas.admin_a).post(reverse("tickets:create"), _data(**{field: foreign.pk}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Ticket.all_companies.exists()
    assert not AuditEvent.all_companies.filter(action="ticket.created").exists()


@pytest.mark.parametrize("value", ["999999", "abc", "-1"])
def test_it_refuses_unknown_ids(personas, login, value):
    response = login(personas.admin_a).post(
        reverse("tickets:create"), _data(related_invoice=value, related_port_request=value)
    )
    form = response.context["form"]
    assert "related_invoice" in form.errors and "related_port_request" in form.errors
    assert not Ticket.all_companies.exists()


def test_the_action_refuses_foreign_relations(personas):
    by = Actor(user=personas.admin_a)
    with pytest.raises(Exception, match="does not belong"):
        actions.create_ticket(
            company=personas.company_a,
            subject="Hej",
            description="Noget om en faktura.",
            category=Category.INVOICE,
            related_invoice=InvoiceFactory(company=personas.company_b),
            by=by,
        )
    with pytest.raises(Exception, match="does not belong"):
        actions.create_ticket(
            company=personas.company_a,
            subject="Hej",
            description="Noget om en portering.",
            category=Category.NUMBERS,
            related_port_request=PortRequestFactory(company=personas.company_b),
            by=by,
        )
    assert not Ticket.all_companies.exists()


def test_it_preselects_an_invoice_or_port_request_from_the_link(personas, login):
    own = PortRequestFactory(company=personas.company_a)
    foreign = PortRequestFactory(company=personas.company_b)
    client = login(personas.admin_a)
    form = client.get(reverse("tickets:create"), {"port_request": own.pk}).context["form"]
    assert form.initial["related_port_request"] == own.pk
    assert form.initial["category"] == Category.NUMBERS
    form = client.get(reverse("tickets:create"), {"port_request": foreign.pk, "invoice": "x"}).context["form"]
    assert "related_port_request" not in form.initial and "related_invoice" not in form.initial
    invoice = InvoiceFactory(company=personas.company_a)
    form = client.get(reverse("tickets:create"), {"invoice": invoice.pk}).context["form"]
    assert (form.initial["related_invoice"], form.initial["category"]) == (invoice.pk, Category.INVOICE)
    page = client.get(reverse("numbers:port_detail", kwargs={"port_id": own.pk})).content.decode()
    assert f"{reverse('tickets:create')}?port_request={own.pk}" in page
