"""An access request goes to the company's main admins first, to the operator (an Access ticket) without them."""

import uuid

import pytest
from django.urls import reverse

from companies.models import AccessRequest, Membership
from outbox.models import OutboxMessage
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _ask(client, area="subscriptions"):
    return client.post(
        reverse("tickets:request_access"),
        {"area": area, "message": "Til SIM-bestillinger", "submission_token": str(uuid.uuid4())},
    )


def test_it_goes_to_the_main_admins_who_can_grant_it(personas, login):
    Membership.objects.filter(user=personas.admin_a).update(is_main_admin=True)
    client = login(personas.invoice_only_a)
    response = _ask(client)
    assert response.status_code == 200
    assert 'data-testid="sent-to-main-admins"' in response.text and "admin-a@alfa.dk" in response.text
    request = AccessRequest.all_companies.get()
    assert request.area == "subscriptions" and request.message == "Til SIM-bestillinger"
    assert not Ticket.all_companies.exists()
    [mail] = OutboxMessage.objects.all()
    assert mail.to == ["admin-a@alfa.dk"] and "invoice@alfa.dk" in mail.subject
    _ask(client)  # asked again: still one request, one e-mail
    assert AccessRequest.all_companies.count() == 1 and OutboxMessage.objects.count() == 1


def test_it_goes_to_the_operator_when_the_company_has_no_main_admin(personas, login):
    _ask(login(personas.invoice_only_a))
    assert Ticket.all_companies.get().subject == "Access to Subscriptions"
    assert not AccessRequest.all_companies.exists()
