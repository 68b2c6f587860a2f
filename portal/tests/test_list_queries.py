"""No page's query count grows with the company's data (N+1 guard for every route).

Fills company A with a few objects of every kind the apps declare in ``URL_KWARGS``,
counts the queries of every page, adds more of every kind, and counts again.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.testing import portal_routes, url_kwarg_factories

pytestmark = pytest.mark.django_db

ROUTES = [r for r in portal_routes() if not r.kwargs]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    return len(captured.captured_queries), response.status_code


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_it_costs_the_same_queries_for_few_or_many_objects(route, personas, login):
    factories = url_kwarg_factories()
    user = personas.staff if "staff" in route.name.split(":")[1] else personas.admin_a
    client = login(user)
    url = reverse(route.name)

    def add(count):
        for make in factories.values():
            for _ in range(count):
                make(personas.company_a)

    add(2)
    client.get(url)  # warm caches (sessions, content types)
    few, status = _queries(client, url)
    add(5)
    # Again: the factories' new subscription types changed the catalogue, which the list then reads once
    # (subscriptions.selectors.catalogue_in_order); the count is compared with the caches warm on both sides.
    client.get(url)
    many, _ = _queries(client, url)
    assert many == few, f"{url} ({status}): {few} queries with 2 of each, {many} with 7"
