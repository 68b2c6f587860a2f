"""Keyset paging of the product list: ``cursor`` from X-Next-Cursor / Link rel=next, for the name sorts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/tmf-api/productInventory/v4/product"
NAMES = ["Åse", "Anne", "Bent", "bent", "Cecilie", "Jens Hansen", "Jens Hansen", "Jens Hansen", "Ølstrup", "Zara"]


@pytest.fixture
def products(personas):
    SubscriptionFactory(company=personas.company_b, user_name="Bent")  # another company's: never paged in
    return [SubscriptionFactory(company=personas.company_a, user_name=name) for name in NAMES]


def _walk(api, params):
    ids, pages, response = [], 0, api.get(PRODUCTS, params)
    while True:
        assert response.status_code == 200, response.content
        ids += [p["id"] for p in response.json()]
        pages += 1
        if "X-Next-Cursor" not in response:
            return ids, pages
        next_url = response["Link"].removeprefix("<").split(">;")[0]
        assert response["Link"].endswith('; rel="next"') and f"cursor={response['X-Next-Cursor']}" in next_url
        response = api.get(next_url.removeprefix("http://testserver"))


@pytest.mark.parametrize("sort", [None, "name", "-name"])
def test_following_the_cursor_gives_the_same_rows_as_offsets(products, api_a, sort):
    params = {"limit": 3} | ({"sort": sort} if sort else {})
    by_offset = [p["id"] for o in range(0, 12, 3) for p in api_a.get(PRODUCTS, params | {"offset": o}).json()]
    by_cursor, pages = _walk(api_a, params)
    assert by_cursor == by_offset and len(by_cursor) == len(NAMES)  # equal names neither repeat nor skip
    assert pages == 4


def test_the_next_link_keeps_the_filters(products, api_a):
    response = api_a.get(PRODUCTS, {"limit": 1, "status": "active", "fields": "name"})
    assert "status=active" in response["Link"] and "fields=name" in response["Link"]
    assert response["X-Total-Count"] == str(len(NAMES))


def test_the_last_page_has_no_next(products, api_a):
    response = api_a.get(PRODUCTS, {"limit": 100})
    assert "X-Next-Cursor" not in response and "Link" not in response


def _queries(api, params):
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(PRODUCTS, params).status_code == 200
    return len(ctx.captured_queries)


def test_a_deep_page_costs_the_queries_of_the_first(products, api_a):
    api_a.get(PRODUCTS)  # last_used_at is written on the first call only
    first = api_a.get(PRODUCTS, {"limit": 2})
    _ids, _pages = _walk(api_a, {"limit": 2})
    last_cursor = api_a.get(PRODUCTS, {"limit": 2, "cursor": first["X-Next-Cursor"]})["X-Next-Cursor"]
    assert _queries(api_a, {"limit": 2, "cursor": last_cursor}) == _queries(api_a, {"limit": 2})


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "W10"}, "cursor"),  # valid base64 of [], not a cursor
        ({"cursor": "CURSOR", "sort": "-name"}, "cursor"),  # another sort's cursor
        ({"cursor": "CURSOR", "sort": "lastUpdate"}, "cursor"),  # a sort that is offset-paged
        ({"cursor": "CURSOR", "offset": 3}, "offset"),
    ],
)
def test_a_bad_cursor_answers_422(products, api_a, params, field):
    cursor = api_a.get(PRODUCTS, {"limit": 2})["X-Next-Cursor"]
    params = {k: cursor if v == "CURSOR" else v for k, v in params.items()}
    response = api_a.get(PRODUCTS, params)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field


def test_another_companys_rows_are_never_reached_by_a_cursor(products, api_b):
    ids, _pages = _walk(api_b, {"limit": 1})
    assert len(ids) == 1
