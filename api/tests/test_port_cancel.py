"""Cancelling a port request over the API: PATCH status cancelled, with the portal's rules."""

import datetime

import pytest
from django.utils import timezone

from api.tests.test_neworders import ORDERS, catalogue, new  # noqa: F401 (the fixture)
from audit.actor import Actor
from audit.models import AuditEvent
from numbering import actions
from numbering.models import PortEvent, PortRequest
from numbering.tests.factories import PortRequestFactory
from subscriptions.identifiers import iccid_with_check
from subscriptions.models import Subscription

pytestmark = pytest.mark.django_db

PORTS = "/tmf-api/numbering/v4/portRequest"
STAFF = Actor.system("test staff")


def _cancel(api, port_id, **extra):
    return api.patch(f"{PORTS}/{port_id}", {"status": "cancelled", **extra})


@pytest.mark.parametrize("status", ["draft", "submitted", "pending", "rejected"])
def test_it_cancels_as_the_portal_does_and_audits_the_client(personas, api_a, status):
    port = PortRequestFactory(company=personas.company_a, status=status)
    response = _cancel(api_a, port.pk, statusChangeReason="Vi bliver hos Telia")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["statusChangeReason"]) == ("cancelled", "Vi bliver hos Telia")
    assert {n["status"] for n in body["numbers"]} == {"cancelled"}
    assert body["statusChange"][-1]["status"] == "cancelled"
    (audit,) = AuditEvent.objects.for_company(personas.company_a).filter(action="numbers.port_cancelled")
    assert audit.actor == api_a.client.user  # the client's machine user


def test_without_a_reason_it_says_the_customer_cancelled(personas, api_a):
    port = PortRequestFactory(company=personas.company_a, status="submitted")
    assert _cancel(api_a, port.pk).json()["statusChangeReason"] == "Cancelled by the customer"


def test_a_scheduled_port_cannot_be_cancelled(personas, api_a):
    port = PortRequestFactory(company=personas.company_a, status="pending")
    actions.schedule_port_request(port, at=timezone.now() + datetime.timedelta(days=2), by=STAFF)
    response = _cancel(api_a, port.pk)
    assert (response.status_code, response.json()["code"]) == (409, "not_cancellable")
    assert "Contact us" in response.json()["message"]
    assert PortRequest.all_companies.get(pk=port.pk).status == "scheduled"


def test_a_completed_port_cannot_be_cancelled(personas, api_a):
    port = PortRequestFactory(company=personas.company_a, status="completed")
    response = _cancel(api_a, port.pk)
    assert response.status_code == 409
    assert PortRequest.all_companies.get(pk=port.pk).status == "completed"


def test_cancelling_again_changes_nothing(personas, api_a):
    port = PortRequestFactory(company=personas.company_a, status="submitted")
    _cancel(api_a, port.pk)
    again = _cancel(api_a, port.pk, statusChangeReason="igen")
    assert (again.status_code, again.json()["status"]) == (200, "cancelled")
    assert PortEvent.objects.filter(port_request=port).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({"status": "submitted"}, "status"), ({"status": "cancelled", "desiredDate": "2027-01-04"}, "desiredDate")],
)
def test_it_changes_nothing_but_the_status_to_cancelled(personas, api_a, body, field):
    port = PortRequestFactory(company=personas.company_a, status="draft")
    response = api_a.patch(f"{PORTS}/{port.pk}", body)
    assert response.status_code == 422, response.content
    assert PortRequest.all_companies.get(pk=port.pk).status == "draft"


def test_another_companys_port_request_answers_404(personas, api_a):
    port = PortRequestFactory(company=personas.company_b, status="submitted")
    assert _cancel(api_a, port.pk).status_code == 404
    assert PortRequest.all_companies.get(pk=port.pk).status == "submitted"


def test_a_read_only_client_cannot_cancel(personas, readonly_api_a):
    port = PortRequestFactory(company=personas.company_a, status="submitted")
    assert _cancel(readonly_api_a, port.pk).status_code == 403


def test_cancelling_a_new_subscriptions_port_cancels_the_subscription_as_in_the_portal(
    personas,
    api_a,
    catalogue,  # noqa: F811
):
    body = new(
        numberChoice="port",
        phoneNumber="30 12 34 56",
        portOperator="telia",
        portSignedName="Anne Admin",
        portConsent=True,
        simType="physical",
        iccid=iccid_with_check("894501999999999999"),
    )
    order = api_a.post(ORDERS, body).json()
    port = PortRequest.objects.for_company(personas.company_a).get()
    assert _cancel(api_a, port.pk).status_code == 200
    assert Subscription.objects.for_company(personas.company_a).get().status == Subscription.Status.CANCELLED
    assert api_a.get(f"{ORDERS}/{order['id']}").json()["state"] == "cancelled"
