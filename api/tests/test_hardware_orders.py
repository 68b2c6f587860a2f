"""TMF622 productOrder for the Products area: SIM cards, eSIMs and hardware from the catalogue."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import WebhookDelivery, WebhookEvent, WebhookHub
from api.tests.factories import make_hub
from audit.actor import Actor
from audit.models import AuditEvent
from companies.models import Membership
from products import actions
from products.models import Item, Order, ProductSettings
from products.tests.factories import ItemFactory
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db

BASE = "/tmf-api/hardwareOrdering/v4"
ORDERS = f"{BASE}/productOrder"
CANCEL = f"{BASE}/cancelProductOrder"
OFFERINGS = f"{BASE}/productOffering"
STAFF = Actor.system("staff")


def _order(*items, **extra):
    return {
        "productOrderItem": [
            {"id": str(n), "action": "add", "quantity": quantity, "productOffering": {"id": item.code}, **more}
            for n, (item, quantity, more) in enumerate(
                ((i[0], i[1], i[2] if len(i) > 2 else {}) for i in items), start=1
            )
        ],
        **extra,
    }


def _for(sub=None, email=None):
    characteristics = []
    if sub is not None:
        characteristics.append({"name": "subscription", "value": str(sub.pk)})
    if email is not None:
        characteristics.append({"name": "employeeEmail", "value": email})
    return {"product": {"productCharacteristic": characteristics}}


def _stock(item):
    return Item.objects.get(pk=item.pk).stock


def _orders(company):
    return Order.objects.for_company(company)


def test_it_places_an_order_with_the_baskets_rules_and_answers_its_prices(personas, api_a):
    phone = ItemFactory(code="iphone-16", price=400000, stock=5)
    sim = ItemFactory(code="sim-kort", kind=Item.Kind.SIM, price=5000, stock=100)
    sub = SubscriptionFactory(company=personas.company_a, user_name="Anne Larsen", email="anne@alfa.dk")
    response = api_a.post(ORDERS, _order((phone, 2), (sim, 1, _for(sub)), description="Til salg"))
    assert response.status_code == 201, response.content
    body = response.json()
    order = _orders(personas.company_a).get()
    assert response["Location"] == body["href"] and body["href"].endswith(f"{ORDERS}/{order.pk}")
    assert (body["id"], body["@type"], body["state"], body["externalId"]) == (
        str(order.pk),
        "ProductOrder",
        "acknowledged",
        order.reference,
    )
    assert body["description"] == "Til salg" and body["billing"] == "oneOff"
    assert body["deliveryAddress"]["street"] == "Vestergade 1"  # the company's address by default
    first, second = body["productOrderItem"]
    assert (first["id"], first["action"], first["quantity"], first["state"]) == ("1", "add", 2, "acknowledged")
    assert first["productOffering"]["id"] == "iphone-16"
    assert first["productOffering"]["href"].endswith(f"{OFFERINGS}/iphone-16")
    assert first["itemPrice"] == [
        {
            "name": phone.name,
            "priceType": "oneTime",
            "price": {
                "dutyFreeAmount": {"unit": "DKK", "value": 4000.0},
                "taxIncludedAmount": {"unit": "DKK", "value": 5000.0},
                "taxRate": 25.0,
            },
        }
    ]
    assert first["itemTotalPrice"][0]["price"]["taxIncludedAmount"]["value"] == 10000.0
    assert {c["name"]: c["value"] for c in second["product"]["productCharacteristic"]} == {
        "subscription": str(sub.pk),
        "employeeName": "Anne Larsen",
        "employeeEmail": "anne@alfa.dk",
    }
    assert second["product"]["productRelationship"][0]["product"]["id"] == str(sub.pk)
    assert body["orderTotalPrice"][0]["price"]["dutyFreeAmount"]["value"] == 8050.0
    assert body["orderTotalPrice"][0]["price"]["taxIncludedAmount"]["value"] == 10062.5
    # The stock is reserved, and the activity log names the client.
    assert (_stock(phone), _stock(sim)) == (3, 99)
    event = AuditEvent.objects.for_company(personas.company_a).get(action="products.order_placed")
    assert event.actor == api_a.client.user
    assert api_a.get(f"{ORDERS}/{order.pk}").json() == body


def test_an_order_over_the_companys_limit_is_held_for_a_second_admin(personas, api_a):
    ProductSettings.objects.create(company=personas.company_a, approval_limit=100000)
    phone = ItemFactory(price=400000)
    response = api_a.post(ORDERS, _order((phone, 1)))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "held" and body["productOrderItem"][0]["state"] == "held"
    assert "above" in body["note"][0]["text"]
    order = _orders(personas.company_a).get()
    # The company's admin (not the client's machine user) approves, as for an order from the portal.
    actions.decide_order(order=order, approve=True, user=personas.admin_a, by=STAFF)
    assert api_a.get(f"{ORDERS}/{order.pk}").json()["state"] == "acknowledged"


def test_the_same_idempotency_key_twice_makes_one_order(personas, api_a):
    phone = ItemFactory(stock=5)
    first = api_a.post(ORDERS, _order((phone, 1)), HTTP_IDEMPOTENCY_KEY="hw-1")
    again = api_a.post(ORDERS, _order((phone, 1)), HTTP_IDEMPOTENCY_KEY="hw-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert _orders(personas.company_a).count() == 1 and _stock(phone) == 4
    other = api_a.post(ORDERS, _order((phone, 2)), HTTP_IDEMPOTENCY_KEY="hw-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("unknown offering", "productOrderItem[0].productOffering.id"),
        ("not for sale", "productOrderItem[0].productOffering.id"),
        ("none", "productOrderItem[0].quantity"),
        ("too many", "productOrderItem[0].quantity"),
        ("another company's subscription", "productOrderItem[0].product.productCharacteristic[0].value"),
        ("not a subscription id", "productOrderItem[0].product.productCharacteristic[0].value"),
        ("bad e-mail", "productOrderItem[0].product.productCharacteristic[0].value"),
        ("unknown characteristic", "productOrderItem[0].product.productCharacteristic[0].name"),
        ("eSIM without e-mail", "productOrderItem"),
        ("out of stock", "productOrderItem"),
        ("no items", "productOrderItem"),
        ("another action", "productOrderItem[0].action"),
        ("a date", "requestedCompletionDate"),
        ("bad billing", "billing"),
        ("empty address", "deliveryAddress.city"),
    ],
)
def test_bad_input_answers_422_with_the_field_and_changes_nothing(personas, api_a, case, field):
    phone = ItemFactory(code="phone", stock=2)
    esim = ItemFactory(code="esim", kind=Item.Kind.ESIM, price=0, stock=10)
    ItemFactory(code="old", is_active=False)
    foreign = SubscriptionFactory(company=personas.company_b, email="b@beta.dk")
    bodies = {
        "unknown offering": {"productOrderItem": [{"action": "add", "productOffering": {"id": "nope"}}]},
        "not for sale": {"productOrderItem": [{"action": "add", "productOffering": {"id": "old"}}]},
        "none": _order((phone, 0)),
        "too many": _order((phone, 51)),
        "another company's subscription": _order((esim, 1, _for(foreign))),
        "not a subscription id": _order(
            (esim, 1, {"product": {"productCharacteristic": [{"name": "subscription", "value": "x"}]}})
        ),
        "bad e-mail": _order((esim, 1, _for(email="not-an-address"))),
        "unknown characteristic": _order(
            (phone, 1, {"product": {"productCharacteristic": [{"name": "pin", "value": "1"}]}})
        ),
        "eSIM without e-mail": _order((esim, 1)),
        "out of stock": _order((phone, 3)),
        "no items": {"productOrderItem": []},
        "another action": {"productOrderItem": [{"action": "delete", "productOffering": {"id": "phone"}}]},
        "a date": _order((phone, 1), requestedCompletionDate="2027-01-01"),
        "bad billing": _order((phone, 1), billing="monthly"),
        "empty address": _order(
            (phone, 1), deliveryAddress={"name": "A", "street": "B 1", "postcode": "8000", "city": ""}
        ),
    }
    response = api_a.post(ORDERS, bodies[case])
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["@type"] == "Error" and body["message"]
    assert field in [e["field"] for e in body["errors"]], body
    assert not _orders(personas.company_a).exists()
    assert (_stock(phone), _stock(esim)) == (2, 10)


def test_the_refusals_of_place_order_come_with_its_reason(personas, api_a):
    esim = ItemFactory(kind=Item.Kind.ESIM, stock=10)
    body = api_a.post(ORDERS, _order((esim, 1))).json()
    assert "eSIM is sent to the employee by e-mail" in body["message"]
    phone = ItemFactory(stock=1)
    body = api_a.post(ORDERS, _order((phone, 2))).json()
    assert body["message"].startswith("Not enough in stock")


def test_an_esim_for_a_subscription_goes_to_its_e_mail(personas, api_a):
    esim = ItemFactory(kind=Item.Kind.ESIM, stock=10)
    sub = SubscriptionFactory(company=personas.company_a, email="anne@alfa.dk")
    response = api_a.post(ORDERS, _order((esim, 1, _for(sub))))
    assert response.status_code == 201, response.content
    assert _orders(personas.company_a).get().lines.get().employee_email == "anne@alfa.dk"


def test_a_held_order_with_nobody_to_approve_it_is_refused(personas, caller):
    company = personas.company_b
    ProductSettings.objects.create(company=company, approve_phones=True)
    Membership.objects.filter(company=company).update(access=Membership.Access.READ_ONLY)
    response = caller(company).post(ORDERS, _order((ItemFactory(stock=3), 1)))
    assert response.status_code == 422
    assert "second admin" in response.json()["message"]
    assert not _orders(company).exists()


def test_another_companys_order_is_not_found(personas, api_a, api_b):
    phone = ItemFactory()
    order_id = api_b.post(ORDERS, _order((phone, 1))).json()["id"]
    assert api_a.get(f"{ORDERS}/{order_id}").status_code == 404
    assert api_a.get(ORDERS).json() == []
    response = api_a.post(CANCEL, {"productOrder": {"id": order_id}})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "productOrder.id"
    assert Order.objects.for_company(personas.company_b).get().state == Order.State.ACKNOWLEDGED


def test_a_read_only_key_reads_but_cannot_order(personas, api_a, readonly_api_a):
    phone = ItemFactory()
    api_a.post(ORDERS, _order((phone, 1)))
    assert readonly_api_a.get(ORDERS).status_code == 200
    response = readonly_api_a.post(ORDERS, _order((phone, 1)))
    assert response.status_code == 403 and response.json()["code"] == "read_only"


def test_a_key_without_the_products_area_gets_403(personas, caller):
    response = caller(personas.company_a, areas=["subscriptions"]).get(ORDERS)
    assert response.status_code == 403 and response.json()["code"] == "no_grant"


def _ship(order, quantities=None):
    actions.pick_order(order=order, by=STAFF)
    return actions.ship_order(
        order=order,
        quantities=quantities or {line.pk: line.outstanding for line in order.lines.all()},
        carrier="PostNord",
        tracking_number="0037071234",
        tracking_url="https://tracking.example/0037071234",
        by=STAFF,
    )


def test_an_order_shows_its_parcels_and_what_was_sent(personas, api_a):
    phone, case = ItemFactory(stock=5), ItemFactory(kind=Item.Kind.ACCESSORY, stock=5)
    api_a.post(ORDERS, _order((phone, 2), (case, 1)))
    order = _orders(personas.company_a).get()
    phone_line = order.lines.get(item=phone)
    shipment = _ship(order, {phone_line.pk: 1})
    body = api_a.get(f"{ORDERS}/{order.pk}").json()
    assert body["state"] == "partial"
    assert [i["state"] for i in body["productOrderItem"]] == ["partial", "inProgress"]
    assert body["productOrderItem"][0]["shippedQuantity"] == 1
    assert body["shipment"] == [
        {
            "id": str(shipment.pk),
            "@type": "Shipment",
            "carrier": "PostNord",
            "trackingNumber": "0037071234",
            "trackingUrl": "https://tracking.example/0037071234",
            "shippedDate": shipment.shipped_at.isoformat(),
            "productOrderItem": [{"id": "1", "quantity": 1}],
        }
    ]
    actions.complete_order(order=order, by=STAFF)
    body = api_a.get(f"{ORDERS}/{order.pk}").json()
    # Closed with one phone and the case never sent: those went back in stock.
    assert body["state"] == "partial" and body["completionDate"]
    assert [i["state"] for i in body["productOrderItem"]] == ["partial", "cancelled"]


def test_the_list_filters_by_state_and_pages(personas, api_a):
    phone = ItemFactory(stock=50)
    ids = [api_a.post(ORDERS, _order((phone, 1))).json()["id"] for _ in range(3)]
    actions.cancel_order(order=_orders(personas.company_a).get(pk=ids[0]), by=STAFF)
    response = api_a.get(ORDERS, {"limit": 1, "offset": 1})
    assert response["X-Total-Count"] == "3" and response["X-Result-Count"] == "1"
    assert [o["id"] for o in response.json()] == [ids[1]]  # newest first
    cancelled = api_a.get(ORDERS, {"state": "cancelled"})
    assert [o["id"] for o in cancelled.json()] == [ids[0]] and cancelled["X-Total-Count"] == "1"
    assert api_a.get(ORDERS, {"state": "shipped"}).status_code == 422
    assert api_a.get(ORDERS, {"limit": 101}).status_code == 422


def _list_queries(api):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(ORDERS, {"limit": 100})
    assert response.status_code == 200
    return len(queries), len(response.json())


def _orders_with_parcels(personas, count):
    phone, sim = ItemFactory(stock=1000), ItemFactory(kind=Item.Kind.SIM, stock=1000)
    sub = SubscriptionFactory(company=personas.company_a)
    for _ in range(count):
        order = actions.place_order(
            company=personas.company_a,
            lines=[actions.WantedLine(item_id=phone.pk, quantity=2), actions.WantedLine(sim.pk, 1, sub.pk)],
            delivery=actions.Delivery(name="A", street="B 1", postcode="8000", city="C"),
            billing="one_off",
            by=STAFF,
        )
        _ship(order)


def test_the_list_costs_the_same_queries_for_2_and_30_orders(personas, api_a):
    _orders_with_parcels(personas, 2)
    api_a.get(ORDERS)  # last_used_at is written on the first call only
    small, shown = _list_queries(api_a)
    assert shown == 2
    _orders_with_parcels(personas, 28)
    large, shown = _list_queries(api_a)
    assert shown == 30
    # key, count, page, its lines (with items), its parcels, the parcels' lines
    assert small == large == 6


def test_cancel_before_dispatch_puts_the_stock_back(personas, api_a):
    phone = ItemFactory(stock=5)
    order_id = api_a.post(ORDERS, _order((phone, 2))).json()["id"]
    response = api_a.post(
        CANCEL, {"productOrder": {"id": order_id}, "cancellationReason": "Fejlbestilling"}, HTTP_IDEMPOTENCY_KEY="c-1"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["@type"], body["state"], body["cancellationReason"]) == (
        "CancelProductOrder",
        "done",
        "Fejlbestilling",
    )
    assert body["productOrder"]["id"] == order_id and response["Location"] == body["href"]
    assert api_a.get(body["href"]).json() == body
    order = api_a.get(f"{ORDERS}/{order_id}").json()
    assert (order["state"], order["cancellationReason"]) == ("cancelled", "Fejlbestilling")
    assert _stock(phone) == 5
    # The same key again: the same answer, nothing more done; without it, the order's state refuses it.
    again = api_a.post(
        CANCEL, {"productOrder": {"id": order_id}, "cancellationReason": "Fejlbestilling"}, HTTP_IDEMPOTENCY_KEY="c-1"
    )
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert api_a.post(CANCEL, {"productOrder": {"id": order_id}}).status_code == 409


def test_a_held_order_can_be_cancelled(personas, api_a):
    ProductSettings.objects.create(company=personas.company_a, approve_phones=True)
    order_id = api_a.post(ORDERS, _order((ItemFactory(), 1))).json()["id"]
    assert api_a.post(CANCEL, {"productOrder": {"id": order_id}}).status_code == 201


def test_an_order_picked_for_dispatch_cannot_be_cancelled(personas, api_a):
    phone = ItemFactory(stock=5)
    order_id = api_a.post(ORDERS, _order((phone, 1))).json()["id"]
    actions.pick_order(order=_orders(personas.company_a).get(pk=order_id), by=STAFF)
    response = api_a.post(CANCEL, {"productOrder": {"id": order_id}})
    assert response.status_code == 409 and response.json()["code"] == "not_cancellable"
    assert api_a.get(f"{ORDERS}/{order_id}").json()["state"] == "inProgress"
    assert _stock(phone) == 4
    assert api_a.get(f"{CANCEL}/{order_id}").status_code == 404


def test_the_catalogue_lists_what_is_for_sale(personas, api_a):
    ItemFactory(code="router-5g", kind=Item.Kind.ROUTER, price=120000, sort_order=1, name="5G router")
    ItemFactory(code="sim", kind=Item.Kind.SIM, price=0, sort_order=2)
    ItemFactory(code="gone", is_active=False)
    response = api_a.get(OFFERINGS)
    assert response.status_code == 200 and response["X-Total-Count"] == "2"
    first = response.json()[0]
    assert (first["id"], first["@type"], first["name"], first["category"][0]["id"]) == (
        "router-5g",
        "ProductOffering",
        "5G router",
        "router",
    )
    assert first["productOfferingPrice"][0]["price"]["taxIncludedAmount"]["value"] == 1500.0
    assert [o["id"] for o in api_a.get(OFFERINGS, {"category.id": "sim"}).json()] == ["sim"]
    assert api_a.get(f"{OFFERINGS}/router-5g").json() == first
    assert api_a.get(f"{OFFERINGS}/gone").status_code == 404
    assert api_a.get(OFFERINGS, {"category.id": "car"}).status_code == 422


NASTY = ["", "0", "-1", "9" * 19, "9" * 40, "1.5", "null", "'; DROP TABLE x;--", "\x00", "ø" * 500, "%00", "[]"]


@pytest.mark.parametrize("value", NASTY)
def test_hostile_filters_and_ids_never_fail(personas, api_a, value):
    for path, params in (
        (ORDERS, {"state": value}),
        (ORDERS, {"offset": value, "limit": value}),
        (OFFERINGS, {"category.id": value}),
        *[(f"{path}/{value}", {}) for path in (ORDERS, CANCEL, OFFERINGS) if value],  # "": Django's own 404
    ):
        response = api_a.get(path, params)
        assert response.status_code in (200, 404, 422), (path, params, response.content)
        assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b"null",
        b'{"productOrderItem": "x"}',
        b'{"productOrderItem": [{"action": "add", "quantity": 99999999999999999999, "productOffering": {"id": "a"}}]}',
        b'{"productOrderItem": [{"action": "add", "productOffering": {"id": "a\\u0000"}}]}',
        b'{"productOrder": {"id": "99999999999999999999"}}',
        b'{"productOrder": {"id": "-1"}}',
        b'{"productOrder": {"id": "\\u00e6"}}',
        b"\xff\xfe",
    ],
)
def test_bad_bodies_answer_4xx(personas, api_a, body):
    for path in (ORDERS, CANCEL):
        response = api_a.http.post(
            path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api_a.token}"
        )
        assert response.status_code in (400, 422), (path, body, response.content)
        assert "status" in response.json()


# Webhooks: ProductOrderStateChangeEvent on hardwareOrdering/v4/hub ------------------------------------------


def _state_events():
    return [
        e.payload
        for e in WebhookEvent.all_companies.filter(event_type="ProductOrderStateChangeEvent").order_by(
            "created_at", "id"
        )
    ]


def test_a_listener_hears_each_state_change_of_its_companys_orders(personas, api_a, settings):
    settings.PORTAL_BASE_URL = "http://testserver"  # the events' hrefs, as the API's reads answer them
    hub = api_a.post(f"{BASE}/hub", {"callback": "http://127.0.0.1:9/hw"})
    assert (hub.status_code, hub.json()["eventType"]) == (201, ["ProductOrderStateChangeEvent"]), hub.content
    make_hub(personas.company_b, api=WebhookHub.Api.HARDWARE_ORDERING)  # another company: not told
    make_hub(personas.company_a, api=WebhookHub.Api.PRODUCT_ORDERING)  # the subscription orders' hub: not told
    phone = ItemFactory(stock=5)
    order_id = api_a.post(ORDERS, _order((phone, 1))).json()["id"]
    order = _orders(personas.company_a).get(pk=order_id)
    _ship(order)
    actions.complete_order(order=order, by=STAFF)
    events = _state_events()
    # Picked (acknowledged → inProgress), then completed; shipping all of it leaves the state inProgress.
    assert [e["event"]["previousState"] for e in events] == ["acknowledged", "inProgress"]
    assert [e["event"]["productOrder"]["state"] for e in events][-1] == "completed"
    assert events[-1]["event"]["productOrder"] == api_a.get(f"{ORDERS}/{order_id}").json()
    assert events[-1]["event"]["productOrder"]["shipment"][0]["trackingNumber"] == "0037071234"
    deliveries = WebhookDelivery.all_companies.filter(company=personas.company_a)
    assert deliveries.count() == 2 and {d.hub.api for d in deliveries} == {"hardwareOrdering"}


def test_cancelling_over_the_api_tells_the_listener(personas, api_a):
    make_hub(personas.company_a, client=api_a.client, api=WebhookHub.Api.HARDWARE_ORDERING)
    order_id = api_a.post(ORDERS, _order((ItemFactory(), 1))).json()["id"]
    api_a.post(CANCEL, {"productOrder": {"id": order_id}})
    (event,) = _state_events()
    assert (event["event"]["productOrder"]["state"], event["event"]["previousState"]) == ("cancelled", "acknowledged")


def test_a_failed_change_leaves_no_event(personas, api_a):
    make_hub(personas.company_a, api=WebhookHub.Api.HARDWARE_ORDERING)
    order_id = api_a.post(ORDERS, _order((ItemFactory(), 1))).json()["id"]
    actions.pick_order(order=_orders(personas.company_a).get(pk=order_id), by=STAFF)
    assert api_a.post(CANCEL, {"productOrder": {"id": order_id}}).status_code == 409
    assert [e["event"]["productOrder"]["state"] for e in _state_events()] == ["inProgress"]
