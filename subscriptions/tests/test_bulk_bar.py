"""The bulk-update bar on the subscriptions list, without JavaScript: errors come back on the list page,
beside their fields, with the ticked rows still ticked (issue 12)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from subscriptions.models import Subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
URL = reverse("subscriptions:bulk")
DAY = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()


@pytest.fixture
def subs(personas, catalogue):
    return [
        SubscriptionFactory(company=personas.company_a, product=catalogue["mobil-basis-5"], user_name=f"Bruger {i}")
        for i in range(3)
    ]


def _ticked(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="ids" value="(\d+)"[^>]*checked', html)}


def test_it_shows_every_actions_fields_without_javascript_and_nothing_ticked(subs, login, personas):
    html = login(personas.admin_a).get(reverse("subscriptions:index")).content.decode()
    for action in ("cancel", "change_product", "cost_centre"):
        assert f'data-testid="bulk-fields-{action}"' in html
    assert "<legend" in html  # each action's fields are labelled as a group
    assert "Tick the subscriptions to change." in html
    assert _ticked(html) == set()


def test_an_error_comes_back_on_the_list_with_the_rows_still_ticked(subs, login, personas):
    ticked = [subs[0].pk, subs[2].pk]
    response = login(personas.admin_a).post(
        URL, {"action": "cancel", "ids": ticked, "end_date": "", "reason": "Omstrukturering"}
    )
    assert response.status_code == 400
    assert "subscriptions/list.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert _ticked(html) == set(ticked)
    assert "2 subscriptions selected" in html
    # The error is beside its field, which says it is invalid; the other field keeps what was typed.
    assert 'data-testid="bulk-error-end_date">Choose the last day.</div>' in html
    # The error first, then the hint of the date format (both read out with the field).
    assert 'aria-invalid="true" aria-describedby="bulk-date-error bulk-date-format"' in html
    assert 'value="Omstrukturering"' in html
    assert 'data-testid="bulk-error-reason"' not in html
    assert not Subscription.all_companies.exclude(status="active").exists()


def test_it_keeps_the_chosen_action_and_its_value(subs, login, personas):
    response = login(personas.admin_a).post(URL, {"action": "change_product", "ids": [subs[1].pk]})
    html = response.content.decode()
    assert '<option value="change_product" selected>' in html
    assert 'data-testid="bulk-error-target">Choose the new subscription type.</div>' in html
    assert "1 subscription selected" in html


def test_nothing_ticked_is_said_in_the_bar(subs, login, personas):
    response = login(personas.admin_a).post(URL, {"action": "cost_centre", "cost_centre_value": "IT"})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'data-testid="bulk-errors"[^>]*><div>Tick at least one subscription.</div>', html)
    assert 'value="IT"' in html
    assert "data-has-errors" in html


def test_it_returns_to_the_same_search_and_page(personas, login, catalogue):
    SubscriptionFactory.create_batch(55, company=personas.company_a, cost_centre="Lager")
    SubscriptionFactory(company=personas.company_a, cost_centre="Salg")
    client = login(personas.admin_a)
    listed = client.get(reverse("subscriptions:index"), {"cost_centre": "Lager", "page": 2})
    page_two = listed.context["page"].object_list
    assert 'name="page" value="2"' in listed.content.decode()  # the bar posts the page it is on
    response = client.post(
        URL, {"action": "cancel", "ids": [page_two[0].pk], "cost_centre": "Lager", "page": "2", "reason": ""}
    )
    assert response.status_code == 400
    assert response.context["page"].number == 2
    assert response.context["filters"]["cost_centre"] == "Lager"
    assert _ticked(response.content.decode()) == {page_two[0].pk}


def test_a_valid_bar_still_goes_to_the_preview(subs, login, personas):
    response = login(personas.admin_a).post(
        URL, {"action": "cancel", "ids": [subs[0].pk], "end_date": DAY, "reason": "x"}
    )
    assert response.status_code == 200
    assert "subscriptions/bulk.html" in [t.name for t in response.templates]
    assert response.context["preview"].changeable == [subs[0].pk]


def test_the_count_texts_for_javascript_are_translated(subs, login, personas):
    personas.admin_a.language = "da"
    personas.admin_a.save()
    html = login(personas.admin_a).get(reverse("subscriptions:index")).content.decode()
    assert 'data-many="%(count)s abonnementer valgt"' in html
    assert 'data-one="1 abonnement valgt"' in html


def test_all_matching_stays_chosen_after_an_error(subs, login, personas):
    response = login(personas.admin_a).post(URL, {"action": "cost_centre", "all": "on", "cost_centre_value": " "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="bulk-all" checked' in html
    assert "All 3 subscriptions matching the search selected" in html
    assert 'data-testid="bulk-error-cost_centre_value">Enter the new cost centre.</div>' in html
