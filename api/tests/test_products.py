"""TMF637 product: the company's subscriptions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from subscriptions.models import Subscription
from subscriptions.tests.factories import AddOnFactory, ProductFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/tmf-api/productInventory/v4/product"


def _characteristics(item):
    return {c["name"]: c["value"] for c in item["productCharacteristic"]}


def test_it_lists_only_the_companys_products(personas, api_a):
    mine = SubscriptionFactory(company=personas.company_a, user_name="Anne")
    SubscriptionFactory(company=personas.company_b, user_name="Bo")
    response = api_a.get(PRODUCTS)
    assert response.status_code == 200
    assert [p["id"] for p in response.json()] == [str(mine.pk)]
    assert response["X-Total-Count"] == "1"


def test_it_shapes_a_product_as_tmf637(personas, api_a):
    product = ProductFactory(code="mobil-fri", name="Mobile unlimited", monthly_price=19900)
    sub = SubscriptionFactory(company=personas.company_a, product=product, user_name="Anne", cost_centre="IT")
    sub.add_ons.add(AddOnFactory(name="Udland", monthly_price=4900))
    item = api_a.get(f"{PRODUCTS}/{sub.pk}").json()
    assert item["@type"] == "Product"
    assert item["href"].endswith(f"{PRODUCTS}/{sub.pk}")
    assert item["status"] == "active"
    assert item["name"] == "Anne"
    assert item["productOffering"] == {
        "id": "mobil-fri",
        "name": "Mobile unlimited",
        "@referredType": "ProductOffering",
    }
    assert [p["price"]["dutyFreeAmount"] for p in item["productPrice"]] == [
        {"unit": "DKK", "value": 199.0},
        {"unit": "DKK", "value": 49.0},
    ]
    assert _characteristics(item)["costCentre"] == "IT"
    assert item["relatedParty"][0]["id"] == str(personas.company_a.pk)


def test_it_never_shows_the_pin_or_puk(personas, api_a):
    sub = SubscriptionFactory(company=personas.company_a)
    for response in (api_a.get(PRODUCTS), api_a.get(f"{PRODUCTS}/{sub.pk}")):
        text = response.content.decode().lower()
        assert sub.pin_encrypted.lower() not in text
        assert "87654321" not in text  # the PUK
        assert "pin" not in text and "puk" not in text


def test_it_pages_with_offset_and_limit_and_says_how_many(personas, api_a):
    subs = [SubscriptionFactory(company=personas.company_a, user_name=f"Bruger {n:02d}") for n in range(7)]
    first = api_a.get(PRODUCTS, {"limit": 3})
    second = api_a.get(PRODUCTS, {"limit": 3, "offset": 3})
    last = api_a.get(PRODUCTS, {"limit": 3, "offset": 6})
    beyond = api_a.get(PRODUCTS, {"limit": 3, "offset": 60})
    assert [r["X-Total-Count"] for r in (first, second, last, beyond)] == ["7"] * 4
    assert [r["X-Result-Count"] for r in (first, second, last, beyond)] == ["3", "3", "1", "0"]
    ids = [p["id"] for r in (first, second, last) for p in r.json()]
    assert ids == [str(s.pk) for s in subs]
    assert beyond.json() == []


def test_it_caps_the_limit(personas, api_a):
    assert api_a.get(PRODUCTS, {"limit": 101}).status_code == 422
    assert api_a.get(PRODUCTS, {"limit": 0}).status_code == 422
    assert api_a.get(PRODUCTS, {"limit": 100}).status_code == 200


def test_equal_names_keep_one_order_across_pages(personas, api_a):
    subs = [SubscriptionFactory(company=personas.company_a, user_name="Jens Hansen") for _ in range(5)]
    ids = [p["id"] for offset in range(5) for p in api_a.get(PRODUCTS, {"limit": 1, "offset": offset}).json()]
    assert ids == [str(s.pk) for s in subs]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "pendingTerminate"}, ["Cecilie"]),
        ({"costCentre": "Lager"}, ["Bent"]),
        ({"productOffering.id": "bredbaand"}, ["Bent"]),
        ({"email": "ANNE@alfa.dk"}, ["Anne"]),
        ({"phoneNumber": "20 11 22 33"}, ["Anne"]),
        ({"phoneNumber": "+4520112233"}, ["Anne"]),
    ],
)
def test_it_filters(personas, api_a, query, expected):
    broadband = ProductFactory(code="bredbaand")
    SubscriptionFactory(company=personas.company_a, user_name="Anne", email="anne@alfa.dk", phone_number="+4520112233")
    SubscriptionFactory(company=personas.company_a, user_name="Bent", cost_centre="Lager", product=broadband)
    SubscriptionFactory(company=personas.company_a, user_name="Cecilie", status=Subscription.Status.PENDING_TERMINATE)
    response = api_a.get(PRODUCTS, query)
    assert response.status_code == 200
    assert [p["name"] for p in response.json()] == expected


def test_it_filters_on_last_update(personas, api_a):
    old = SubscriptionFactory(company=personas.company_a, user_name="Gammel")
    new = SubscriptionFactory(company=personas.company_a, user_name="Ny")
    Subscription.objects.for_company(personas.company_a).filter(pk=old.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert [p["id"] for p in api_a.get(PRODUCTS, {"lastUpdate.gte": since}).json()] == [str(new.pk)]


def _read(api, path, query):
    response = api.get(path, query)
    # The export streams: its query runs while the body is read, so read it all.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


@pytest.mark.parametrize("path", [PRODUCTS, f"{PRODUCTS}/export"])
def test_any_offset_python_takes_is_compared_in_utc(personas, api_a, path):
    # +18:35 is valid ISO 8601 to Python but beyond PostgreSQL's ±15:59: the filter is sent in UTC.
    SubscriptionFactory(company=personas.company_a, user_name="Ny")
    status, body = _read(api_a, path, {"lastUpdate.gte": "1973-01-17T01:53:51+18:35"})
    assert status == 200 and b"Ny" in body
    assert _read(api_a, path, {"lastUpdate.gte": "3105-12-02T08:44:45-18:08"}) == (
        200,
        b"[]" if path == PRODUCTS else b"",
    )
    assert _read(api_a, path, {"lastUpdate.gte": "0001-01-01T00:00:00+05:00"})[0] == 422


@pytest.mark.parametrize(
    "query",
    [{"status": "sleeping"}, {"phoneNumber": "abc"}, {"sort": "pin"}, {"fields": "pin"}, {"lastUpdate.gte": "igår"}],
)
def test_it_answers_422_with_the_field_for_bad_filters(personas, api_a, query):
    response = api_a.get(PRODUCTS, query)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "422"
    assert body["errors"][0]["field"] == next(iter(query))


def test_it_sorts(personas, api_a):
    SubscriptionFactory(company=personas.company_a, user_name="Åse", email="a@alfa.dk")
    SubscriptionFactory(company=personas.company_a, user_name="Bo", email="c@alfa.dk")
    SubscriptionFactory(company=personas.company_a, user_name="Ærø", email="b@alfa.dk")
    assert [p["name"] for p in api_a.get(PRODUCTS).json()] == ["Bo", "Ærø", "Åse"]  # Danish order
    assert [p["name"] for p in api_a.get(PRODUCTS, {"sort": "-name"}).json()] == ["Åse", "Ærø", "Bo"]
    assert [p["name"] for p in api_a.get(PRODUCTS, {"sort": "email"}).json()] == ["Åse", "Ærø", "Bo"]


def test_it_returns_only_the_fields_asked_for(personas, api_a):
    SubscriptionFactory(company=personas.company_a)
    item = api_a.get(PRODUCTS, {"fields": "name,status"}).json()[0]
    assert set(item) == {"id", "href", "@type", "name", "status"}


def _list_queries(api, limit):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(PRODUCTS, {"limit": limit})
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_2_and_40_products(personas, api_a):
    for _ in range(2):
        SubscriptionFactory(company=personas.company_a).add_ons.add(AddOnFactory())
    api_a.get(PRODUCTS)  # last_used_at is written on the first call only
    small = _list_queries(api_a, 100)
    for _ in range(38):
        SubscriptionFactory(company=personas.company_a, product=ProductFactory()).add_ons.add(AddOnFactory())
    assert _list_queries(api_a, 100) == small
    # key lookup (with the company), count, page (plain values), the catalogue, the page's add-ons
    assert small == 5


def test_it_answers_404_for_another_companys_product(personas, api_a):
    theirs = SubscriptionFactory(company=personas.company_b)
    assert api_a.get(f"{PRODUCTS}/{theirs.pk}").status_code == 404
    assert api_a.get(f"{PRODUCTS}/999999").status_code == 404
    assert api_a.patch(f"{PRODUCTS}/{theirs.pk}", {"name": "Overtaget"}).status_code == 404
    assert Subscription.objects.for_company(personas.company_b).get(pk=theirs.pk).user_name != "Overtaget"


def test_it_changes_details_through_the_action_and_audits_the_client(personas, api_a):
    sub = SubscriptionFactory(company=personas.company_a, user_name="Anne", cost_centre="Salg")
    body = {
        "name": "Anne  Larsen",
        "productCharacteristic": [
            {"name": "costCentre", "value": "Marketing"},
            {"name": "salaryNumber", "value": "A-17"},
        ],
    }
    response = api_a.patch(f"{PRODUCTS}/{sub.pk}", body)
    assert response.status_code == 200
    assert response.json()["name"] == "Anne Larsen"
    assert _characteristics(response.json())["costCentre"] == "Marketing"
    sub.refresh_from_db()
    assert (sub.user_name, sub.cost_centre, sub.salary_number) == ("Anne Larsen", "Marketing", "A-17")
    event = AuditEvent.objects.for_company(personas.company_a).get(
        action="subscription.details_changed", target_id=str(sub.pk)
    )
    assert event.actor == api_a.client.user
    assert event.company == personas.company_a
    assert "hr" in event.actor_label


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"productCharacteristic": [{"name": "iccid", "value": "89450100000000000000"}]},
            "productCharacteristic[0].name",
        ),
        ({"productCharacteristic": [{"name": "email", "value": "ikke en adresse"}]}, "productCharacteristic.email"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"status": "terminated"}, "status"),
        ({"productCharacteristic": [{"name": "salaryNumber", "value": "ÆØÅ!"}]}, "productCharacteristic.salaryNumber"),
    ],
)
def test_it_refuses_bad_patches_with_field_paths(personas, api_a, body, field):
    sub = SubscriptionFactory(company=personas.company_a, user_name="Anne")
    response = api_a.patch(f"{PRODUCTS}/{sub.pk}", body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Subscription.objects.for_company(personas.company_a).get(pk=sub.pk).user_name == "Anne"


def test_the_documented_statuses_match_the_subscriptions_area():
    from typing import get_args

    from api import products

    assert set(get_args(products.Status)) == set(products.STATUS_TO_TMF.values())
    assert {products.STATUS_FROM_TMF[s] for s in get_args(products.Status)} == set(Subscription.Status.values)
    assert set(get_args(products.Sort)) == set(products.SORTS)


def _export(api, params=None):
    response = api.get(f"{PRODUCTS}/export", params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    import json

    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


def test_the_export_streams_every_product_of_the_company_in_chunks(personas, api_a, settings, monkeypatch):
    from api import products

    monkeypatch.setattr(products, "EXPORT_CHUNK", 7)
    mine = [SubscriptionFactory(company=personas.company_a) for _ in range(23)]
    SubscriptionFactory(company=personas.company_b)
    api_a.get(PRODUCTS)  # last_used_at is written on the first call only
    with CaptureQueriesContext(connection) as queries:
        items = _export(api_a)
    assert [item["id"] for item in items] == [str(s.pk) for s in mine]
    assert items[0]["@type"] == "Product" and "productCharacteristic" in items[0]
    # key, catalogue, then per chunk of 7 its rows and add-ons (4 chunks and the empty one)
    assert len(queries) == 2 + 2 * 4 + 1


def test_the_export_takes_the_lists_filters(personas, api_a):
    SubscriptionFactory(company=personas.company_a, cost_centre="Lager")
    SubscriptionFactory(company=personas.company_a, cost_centre="Salg", status=Subscription.Status.TERMINATED)
    assert [i["status"] for i in _export(api_a, {"costCentre": "Salg"})] == ["terminated"]
    assert len(_export(api_a, {"status": "active"})) == 1
    assert api_a.get(f"{PRODUCTS}/export", {"status": "sleeping"}).status_code == 422


def test_the_export_writes_the_same_documents_as_the_list(personas, api_a):
    # The export's fast encoder (api/export.py) and the list's render_rows must never drift apart.
    odd = SubscriptionFactory(
        company=personas.company_a,
        user_name='Ø "Citat" \\ Linje\nTo 😀',
        cost_centre="Salg/Øst",
        invoice_note="\t<b>&</b>\u2028",
        end_date=datetime.date(2027, 1, 31),
        status=Subscription.Status.PENDING_TERMINATE,
    )
    odd.add_ons.add(AddOnFactory(name='Ekstra "data"'), AddOnFactory(name="Udland"))
    SubscriptionFactory(company=personas.company_a)
    listed = sorted(api_a.get(PRODUCTS, {"limit": 100}).json(), key=lambda p: int(p["id"]))
    assert _export(api_a) == listed


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status": "active"},
        {"costCentre": "Salg"},
        {"productOffering.id": "mobil-50"},
        {"status": "terminated", "costCentre": "Salg", "productOffering.id": "mobil-50"},
        {"email": "a@firma.dk"},
    ],
)
def test_the_total_from_the_counters_is_the_number_of_matches(personas, api_a, query):
    big = ProductFactory(code="mobil-50")
    for cost_centre, status, product in [
        ("Salg", Subscription.Status.ACTIVE, big),
        ("Salg", Subscription.Status.TERMINATED, big),
        ("Lager", Subscription.Status.ACTIVE, None),
        ("Salg", Subscription.Status.ACTIVE, None),
    ]:
        extra = {"product": product} if product else {}
        SubscriptionFactory(
            company=personas.company_a, cost_centre=cost_centre, status=status, email="a@firma.dk", **extra
        )
    SubscriptionFactory(company=personas.company_b, cost_centre="Salg", product=big)
    response = api_a.get(PRODUCTS, {**query, "limit": 1})
    counted = len(api_a.get(PRODUCTS, {**query, "limit": 100}).json())
    assert response["X-Total-Count"] == str(counted)
    assert response["X-Result-Count"] == "1"
