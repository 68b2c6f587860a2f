"""A search counts its matches only up to a cap (selectors.CappedList): "more than 1,000", flat in the
company's size; below the cap the exact count, and the pages past the cap still lead on."""

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from subscriptions import selectors
from subscriptions.models import Subscription
from subscriptions.tests.factories import ProductFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db
URL = reverse("subscriptions:index")


@pytest.fixture
def many(personas, monkeypatch):
    """130 matches of "bruger" and a cap of 60 (a page is 50): the same as 1,000 in a big company."""
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 60)
    product = ProductFactory()
    SubscriptionFactory.create_batch(130, company=personas.company_a, product=product, user_name="Bruger")
    SubscriptionFactory.create_batch(
        3,
        company=personas.company_a,
        product=product,
        user_name="Lone Sjælden",
        email=factory.Sequence(lambda n: f"lone{n}@firma.dk"),
    )
    return personas


def test_a_search_below_the_cap_shows_the_exact_count(many, login):
    page = login(many.admin_a).get(URL, {"q": "sjælden"})
    html = page.content.decode()
    assert page.context["count_capped"] is False
    assert "All 3 subscriptions matching the current search" in html
    assert "more than" not in html


def test_a_search_past_the_cap_says_more_than_and_counts_no_further(many, login):
    client = login(many.admin_a)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL, {"q": "bruger"})
    html = page.content.decode()
    assert page.context["count_capped"] is True and page.context["count_at_least"] == 60
    assert "1\u201350 of more than 60" in html and "Page 1<" in html and "Page 1 of" not in html
    assert "All subscriptions matching the current search (more than 60)" in html
    assert 'data-all="All subscriptions matching the search selected (more than 60)"' in html
    count = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(count) == 1 and "LIMIT 61" in count[0]  # never reads more than the cap + 1 matches


def test_the_pages_past_the_cap_lead_on_to_the_last_match(many, login):
    client = login(many.admin_a)
    first = client.get(URL, {"q": "bruger"})
    assert first.context["page"].has_next()
    second = client.get(URL, {"q": "bruger", "page": 2})
    assert second.context["page"].number == 2 and second.context["count_capped"] is True
    assert "51\u2013100 of more than 110" in second.content.decode()  # the cap counts on from the page asked for
    third = client.get(URL, {"q": "bruger", "page": 3})
    # 130 matches: the cap (100 + 60) is not reached, so the last page knows the exact count again.
    assert third.context["count_capped"] is False
    assert len(third.context["page"].object_list) == 30 and not third.context["page"].has_next()
    assert "101\u2013130 of 130" in third.content.decode()
    seen = [*first.context["page"].object_list, *second.context["page"].object_list]
    seen += third.context["page"].object_list
    assert len({s.pk for s in seen}) == 130


def test_a_wild_page_number_is_the_last_page_not_an_error(many, login):
    client = login(many.admin_a)
    for page in ("99999999999999999999999", "-3", "x", "2.5"):
        assert client.get(URL, {"q": "bruger", "page": page}).status_code == 200


def test_in_danish(many, login):
    user = many.admin_a
    user.language = "da"
    user.save()
    html = login(user).get(URL, {"q": "bruger"}).content.decode()
    assert "1\u201350 af mere end 60" in html and "Side 1<" in html
    assert "Alle abonnementer, der matcher søgningen (mere end 60)" in html


def test_the_cap_shows_with_thousands_separators(personas, login, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 1000)
    source = selectors.CappedList(Subscription.objects.none(), offset=0)
    assert source.limit == 1000 and source.count() == 0 and not source.capped
    from django.template import engines
    from django.utils import translation

    template = engines["django"].from_string("{% load humanize %}{{ n|intcomma }}")
    assert template.render({"n": 1000}) == "1,000"
    with translation.override("da"):
        assert template.render({"n": 1000}) == "1.000"


def test_the_kept_bulk_panel_follows_the_count_the_language_and_the_catalogue(personas, login):
    # list.html keeps the panel's usual state per language, count and catalogue (template_fragments).
    product = ProductFactory(name="Plan One")
    SubscriptionFactory.create_batch(2, company=personas.company_a, product=product)
    client = login(personas.admin_a)
    assert "All 2 subscriptions matching the current search" in client.get(URL).content.decode()
    SubscriptionFactory(company=personas.company_a, product=product)
    html = client.get(URL).content.decode()
    assert "All 3 subscriptions matching the current search" in html and "All 2 " not in html
    product.name_da = "Plan Et"
    product.save()
    client.post(reverse("accounts:set_language"), {"language": "da", "next": "/"})
    html = client.get(URL).content.decode()
    assert "Alle 3 abonnementer, der matcher søgningen" in html and ">Plan Et</option>" in html


def test_a_bulk_form_with_errors_is_never_served_from_the_kept_panel(personas, login):
    subs = SubscriptionFactory.create_batch(2, company=personas.company_a, product=ProductFactory())
    client = login(personas.admin_a)
    client.get(URL)  # keeps the empty panel
    back = client.post(
        reverse("subscriptions:bulk"), {"action": "cancel", "ids": [subs[0].pk], "end_date": "", "reason": "x"}
    )
    html = back.content.decode()
    assert 'data-testid="bulk-panel"' in html and "data-has-errors" in html and 'value="x"' in html
    assert "data-has-errors" not in client.get(URL).content.decode()  # and the kept one stays clean
