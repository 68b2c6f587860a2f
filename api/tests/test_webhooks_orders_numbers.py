"""Webhooks of TMF622 productOrder (ProductOrderStateChangeEvent) and the Numbers API (port requests, call flow)."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from api.models import WebhookDelivery, WebhookEvent, WebhookHub
from api.tests.factories import make_hub
from api.tests.test_neworders import ORDERS, catalogue, new  # noqa: F401 (the fixture)
from audit.actor import Actor
from numbering import actions as numbering_actions
from numbering.models import PortRequest
from numbering.tests.factories import PortRequestFactory, flow_document
from subscriptions.identifiers import iccid_with_check
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db

STAFF = Actor.system("test staff")
ORDER_HUB = "/tmf-api/productOrdering/v4/hub"
NUMBERS_HUB = "/tmf-api/numbering/v4/hub"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.PORTAL_BASE_URL = "http://testserver"  # the events' hrefs, as the API's reads answer them


def _events(event_type):
    return [e.payload for e in WebhookEvent.all_companies.filter(event_type=event_type).order_by("created_at", "id")]


def _port_in_order(api_a):
    body = new(
        numberChoice="port",
        phoneNumber="30 12 34 56",
        portOperator="telia",
        portSignedName="Anne Admin",
        portConsent=True,
        simType="physical",
        iccid=iccid_with_check("894501999999999999"),
    )
    response = api_a.post(ORDERS, body)
    assert response.status_code == 201, response.content
    return response.json(), PortRequest.objects.for_company(api_a.client.company).get()


def test_a_client_registers_for_order_and_numbers_events(api_a):
    orders = api_a.post(ORDER_HUB, {"callback": "http://127.0.0.1:9/o"})
    numbers = api_a.post(NUMBERS_HUB, {"callback": "http://127.0.0.1:9/n", "query": "eventType=CallFlowCreateEvent"})
    assert (orders.status_code, orders.json()["eventType"]) == (201, ["ProductOrderStateChangeEvent"])
    assert (numbers.status_code, numbers.json()["eventType"]) == (201, ["CallFlowCreateEvent"])
    assert (
        api_a.post(
            NUMBERS_HUB, {"callback": "http://127.0.0.1:9/n", "query": "eventType=ProductCreateEvent"}
        ).status_code
        == 422
    )


def test_an_orders_state_changes_are_events_each_once(personas, api_a, catalogue):  # noqa: F811
    make_hub(personas.company_a, api=WebhookHub.Api.PRODUCT_ORDERING)
    order, port_request = _port_in_order(api_a)
    assert _events("ProductOrderStateChangeEvent") == []  # the order's first state is no change
    numbering_actions.accept_port_request(port_request, by=STAFF)
    numbering_actions.schedule_port_request(port_request, at=timezone.now() + datetime.timedelta(hours=1), by=STAFF)
    numbering_actions.complete_port_request(port_request, ported=["+4530123456"], note="", by=STAFF)
    events = _events("ProductOrderStateChangeEvent")
    # scheduled and ported leave the order in progress; the activation completes it
    assert [(e["event"]["previousState"], e["event"]["productOrder"]["state"]) for e in events] == [
        ("acknowledged", "inProgress"),
        ("inProgress", "completed"),
    ]
    assert {e["event"]["productOrder"]["id"] for e in events} == {order["id"]}
    assert events[-1]["event"]["productOrder"] == api_a.get(f"{ORDERS}/{order['id']}").json()


def test_a_cancelled_port_request_cancels_the_order_in_one_event(personas, api_a, catalogue):  # noqa: F811
    make_hub(personas.company_a, api=WebhookHub.Api.PRODUCT_ORDERING)
    _order, port_request = _port_in_order(api_a)
    numbering_actions.cancel_port_request(port_request, reason="Fortrudt", by=STAFF)
    events = _events("ProductOrderStateChangeEvent")
    assert [(e["event"]["previousState"], e["event"]["productOrder"]["state"]) for e in events] == [
        ("acknowledged", "cancelled")
    ]


def test_a_port_request_status_change_is_a_numbers_event(personas):
    hub, _secret = make_hub(personas.company_a, api=WebhookHub.Api.NUMBERING)
    make_hub(personas.company_b, api=WebhookHub.Api.NUMBERING)  # another company: not told
    port_request = PortRequestFactory(company=personas.company_a, status=PortRequest.Status.SUBMITTED)
    numbering_actions.reject_port_request(port_request, reason="Forkert kundenummer", by=STAFF)
    (payload,) = _events("PortRequestStateChangeEvent")
    body = payload["event"]
    assert (body["previousStatus"], body["portRequest"]["status"]) == ("submitted", "rejected")
    assert body["portRequest"]["statusChangeReason"] == "Forkert kundenummer"
    assert body["portRequest"]["statusChange"][-1]["status"] == "rejected"
    assert [d.hub_id for d in WebhookDelivery.all_companies.all()] == [hub.pk]


def test_the_event_shows_the_numbers_as_they_are_after_the_change(personas):
    make_hub(personas.company_a, api=WebhookHub.Api.NUMBERING)
    port_request = PortRequestFactory(company=personas.company_a, status=PortRequest.Status.SUBMITTED)
    numbering_actions.cancel_port_request(port_request, reason="", by=STAFF)
    (payload,) = _events("PortRequestStateChangeEvent")
    assert {n["status"] for n in payload["event"]["portRequest"]["numbers"]} == {"cancelled"}


def test_a_new_call_flow_version_is_an_event(personas, api_a):
    make_hub(personas.company_a, api=WebhookHub.Api.NUMBERING, query="eventType=CallFlowCreateEvent")
    document = flow_document([SubscriptionFactory(company=personas.company_a).pk])
    response = api_a.post("/tmf-api/numbering/v4/callFlow", {"comment": "Ny", "document": document})
    assert response.status_code == 201, response.content
    (payload,) = _events("CallFlowCreateEvent")
    assert payload["event"]["callFlow"] == api_a.get("/tmf-api/numbering/v4/callFlow").json()
    port_request = PortRequestFactory(company=personas.company_a, status=PortRequest.Status.SUBMITTED)
    numbering_actions.accept_port_request(port_request, by=STAFF)
    assert _events("PortRequestStateChangeEvent") == []  # not asked for


def test_a_rolled_back_port_change_records_no_event(personas):
    make_hub(personas.company_a, api=WebhookHub.Api.NUMBERING)
    port_request = PortRequestFactory(company=personas.company_a, status=PortRequest.Status.SUBMITTED)
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering_actions.accept_port_request(port_request, by=STAFF)
        assert WebhookEvent.all_companies.count() == 1  # written with the change ...
        raise RuntimeError("the request failed after the change")
    assert (WebhookEvent.all_companies.count(), WebhookDelivery.all_companies.count()) == (0, 0)
    assert PortRequest.all_companies.get(pk=port_request.pk).status == PortRequest.Status.SUBMITTED


def test_a_rolled_back_call_flow_records_no_event(personas):
    make_hub(personas.company_a, api=WebhookHub.Api.NUMBERING)
    document = flow_document([SubscriptionFactory(company=personas.company_a).pk])
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering_actions.save_call_flow(company=personas.company_a, document=document, comment="", by=STAFF)
        raise RuntimeError("later step failed")
    assert WebhookEvent.all_companies.count() == 0


@pytest.mark.parametrize("hub_path", [ORDER_HUB, NUMBERS_HUB])
def test_another_companys_hub_answers_404(api_a, api_b, hub_path):
    hub_id = api_b.post(hub_path, {"callback": "http://127.0.0.1:9/x"}).json()["id"]
    assert api_a.get(f"{hub_path}/{hub_id}").status_code == 404
    assert api_a.delete(f"{hub_path}/{hub_id}").status_code == 404
    assert WebhookHub.all_companies.get(pk=hub_id).deleted_at is None
