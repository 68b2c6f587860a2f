"""TMF622 productOrder ``add``: a new subscription with the guide's rules and fees, port-in included."""

import datetime

import pytest
from django.utils import timezone

from api.models import ProductOrder
from audit.actor import Actor
from audit.models import AuditEvent
from invoicing.models import Charge
from numbering import actions as numbering_actions
from numbering.models import PortRequest
from subscriptions.catalogue import ensure_catalogue
from subscriptions.identifiers import iccid_with_check
from subscriptions.models import NumberPool, Subscription

pytestmark = pytest.mark.django_db

ORDERS = "/tmf-api/productOrdering/v4/productOrder"
STAFF = Actor.system("test staff")


@pytest.fixture
def catalogue(db):
    products = ensure_catalogue()
    NumberPool.objects.bulk_create([NumberPool(phone_number=f"+4542{n:06d}") for n in range(100000, 100020)])
    return products


def new(code="mobil-plus-30", name="Øjvind Åberg", **characteristics):
    values = {"email": "oa@firma.dk", "costCentre": "IT", "simType": "esim", **characteristics}
    product = {
        "name": name,
        "productOffering": {"id": code},
        "productCharacteristic": [{"name": k, "value": v} for k, v in values.items() if v is not None],
    }
    return {"productOrderItem": [{"action": "add", "product": product}]}


def _subs(company):
    return Subscription.objects.for_company(company)


def test_it_creates_a_subscription_with_the_guides_fees_and_follows_it(
    personas, api_a, catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_a.post(ORDERS, new(addOns=["voicemail-pro"], phoneNumber="+4542100015"))
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["state"] == "inProgress"
    sub = _subs(personas.company_a).get()
    assert (sub.user_name, sub.email, sub.cost_centre, sub.product.code) == (
        "Øjvind Åberg",
        "oa@firma.dk",
        "IT",
        "mobil-plus-30",
    )
    assert (sub.phone_number, sub.sim_type, sub.status) == ("+4542100015", "esim", Subscription.Status.PENDING_ACTIVE)
    assert [a.code for a in sub.add_ons.all()] == ["voicemail-pro"]
    assert NumberPool.objects.get(phone_number="+4542100015").reserved_for == personas.company_a
    item = order["productOrderItem"][0]
    assert item["product"]["id"] == str(sub.pk)
    # The guide's summary: 149 + 19 kr a month, the eSIM profile 49 kr (set-up 0 kr).
    totals = {p["priceType"]: p["price"]["dutyFreeAmount"]["value"] for p in order["orderTotalPrice"]}
    assert totals == {"oneTime": 49.0, "recurring": 168.0}
    assert Charge.objects.for_company(personas.company_a).filter(subscription=sub).count() == 1
    event = AuditEvent.objects.for_company(personas.company_a).get(action="subscription.created")
    assert event.actor == api_a.client.user
    # The provisioning task runs on commit; then the order is completed.
    for callback in callbacks:
        callback()
    assert api_a.get(f"{ORDERS}/{order['id']}").json()["state"] == "completed"


def test_it_takes_the_first_free_number_when_none_is_named(personas, api_a, catalogue):
    assert api_a.post(ORDERS, new()).status_code == 201
    assert _subs(personas.company_a).get().phone_number == "+4542100000"


def test_a_port_in_makes_the_port_request_and_the_order_follows_it(personas, api_a, catalogue):
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
    order = response.json()
    sub = _subs(personas.company_a).get()
    assert (sub.phone_number, sub.port_in_requested, sub.port_in_operator) == ("+4530123456", True, "Telia")
    port_request = PortRequest.objects.for_company(personas.company_a).get(subscription=sub)
    assert (port_request.status, port_request.signed_name) == (PortRequest.Status.SUBMITTED, "Anne Admin")
    assert order["state"] == "acknowledged"
    assert order["relatedEntity"][0]["name"] == port_request.reference
    url = f"{ORDERS}/{order['id']}"
    numbering_actions.accept_port_request(port_request, by=STAFF)
    assert api_a.get(url).json()["state"] == "inProgress"
    numbering_actions.reject_port_request(port_request, reason="Forkert kundenummer", by=STAFF)
    assert api_a.get(url).json()["state"] == "pending"
    numbering_actions.submit_port_request(port_request, by=STAFF)
    assert api_a.get(url).json()["state"] == "acknowledged"
    numbering_actions.accept_port_request(port_request, by=STAFF)
    in_an_hour = timezone.now() + datetime.timedelta(hours=1)
    numbering_actions.schedule_port_request(port_request, at=in_an_hour, by=STAFF)
    assert api_a.get(url).json()["state"] == "inProgress"
    numbering_actions.complete_port_request(port_request, ported=["+4530123456"], note="", by=STAFF)
    done = api_a.get(url).json()
    assert done["state"] == "completed"
    assert [o["state"] for o in api_a.get(ORDERS).json()] == ["completed"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (new(name="  "), "productOrderItem[0].product.name"),
        (new(email="nope"), "productOrderItem[0].product.productCharacteristic[0].value"),
        (new(code="mobil-ukendt"), "productOrderItem[0].product.productOffering.id"),
        (
            new(code="mobil-fri", addOns=["ekstra-data-20"]),
            "productOrderItem[0].product.productCharacteristic[3].value",
        ),
        (new(addOns=["findes-ikke"]), "productOrderItem[0].product.productCharacteristic[3].value"),
        (new(phoneNumber="+4599999999"), "productOrderItem[0].product.productCharacteristic[3].value"),
        (
            new(numberChoice="port", phoneNumber="30 12 34 56", portOperator="telia", portSignedName="A"),
            "productOrderItem[0].product.productCharacteristic.portConsent",
        ),
        (
            new(
                numberChoice="port",
                phoneNumber="33 12 34 56",
                portOperator="telia",
                portSignedName="A",
                portConsent=True,
            ),
            "productOrderItem[0].product.productCharacteristic[4].value",
        ),
        (
            new(simType="physical", iccid="1234567890123456789"),
            "productOrderItem[0].product.productCharacteristic[3].value",
        ),
        (new(simType="ship"), "productOrderItem[0].product.productCharacteristic.shipTo"),
        (new(simType="paper"), "productOrderItem[0].product.productCharacteristic[2].value"),
        (new(colour="blå"), "productOrderItem[0].product.productCharacteristic[3].name"),
    ],
)
def test_it_refuses_what_the_guide_refuses_with_the_field(personas, api_a, catalogue, body, field):
    response = api_a.post(ORDERS, body)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not _subs(personas.company_a).exists()
    assert not ProductOrder.objects.for_company(personas.company_a).exists()


def test_a_new_subscription_takes_no_product_id_or_date(personas, api_a, catalogue):
    body = new()
    body["productOrderItem"][0]["product"]["id"] = "17"
    assert api_a.post(ORDERS, body).json()["errors"][0]["field"] == "productOrderItem[0].product.id"
    response = api_a.post(ORDERS, {**new(), "requestedCompletionDate": "2030-01-01"})
    assert response.json()["errors"][0]["field"] == "requestedCompletionDate"


def test_a_number_with_us_already_is_refused(personas, api_a, api_b, catalogue):
    port = {"numberChoice": "port", "portOperator": "telia", "portSignedName": "A", "portConsent": True}
    assert api_b.post(ORDERS, new(phoneNumber="30 12 34 56", **port)).status_code == 201
    response = api_a.post(ORDERS, new(phoneNumber="30 12 34 56", **port))
    assert response.status_code == 422
    assert not _subs(personas.company_a).exists()


def test_a_retried_order_with_its_key_is_one_subscription(personas, api_a, catalogue):
    first = api_a.post(ORDERS, new(), HTTP_IDEMPOTENCY_KEY="new-hire-2026-17")
    again = api_a.post(ORDERS, new(), HTTP_IDEMPOTENCY_KEY="new-hire-2026-17")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert _subs(personas.company_a).count() == 1


def test_another_companys_new_subscription_order_is_not_found(personas, api_a, api_b, catalogue):
    order = api_b.post(ORDERS, new()).json()
    assert api_a.get(f"{ORDERS}/{order['id']}").status_code == 404
    assert api_a.get(ORDERS).json() == []


def test_the_order_list_costs_the_same_queries_for_1_and_8_new_subscriptions(personas, api_a, catalogue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    port = {"numberChoice": "port", "portOperator": "telia", "portSignedName": "A", "portConsent": True}

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api_a.get(ORDERS, {"limit": 100}).status_code == 200
        return len(captured)

    assert api_a.post(ORDERS, new(phoneNumber="30 12 34 50", **port)).status_code == 201
    small = queries()
    for n in range(1, 8):
        body = new(phoneNumber=f"30 12 34 5{n}", **port) if n % 2 else new()
        assert api_a.post(ORDERS, body).status_code == 201
    assert len(api_a.get(ORDERS).json()) == 8
    assert queries() == small
    # key, count, page (with the subscriptions), their port requests
    assert small == 4
