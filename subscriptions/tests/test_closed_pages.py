"""A closed (or not active) subscription's cancel, add-on and suspend pages open with the reason they refuse.

Regression: opening them (GET) answered 500, because the refusal was added to an unbound form.
"""

import pytest
from django.urls import reverse

from subscriptions.models import Subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "cancel": ("terminated", "This subscription is already cancelled."),
    "add_ons": ("cancelled", "Only a running subscription can change its add-ons."),
    "suspend": ("pending_terminate", "Only an active subscription can be suspended."),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("status", ["pending_active", "suspended", "pending_terminate", "terminated", "cancelled"])
def test_the_page_of_a_subscription_it_cannot_act_on_opens_with_the_reason(page, status, personas, login):
    sub = SubscriptionFactory(company=personas.company_a, status=status)
    url = reverse(f"subscriptions:{page}", kwargs={"subscription_id": sub.pk})
    response = login(personas.admin_a).get(url)
    assert response.status_code == 200
    refused_in, message = PAGES[page]
    if status == refused_in:
        assert message in response.content.decode()
    # A POST still refuses with the same message and changes nothing.
    response = login(personas.admin_a).post(url, {"reason": "x", "confirm": "1"})
    assert response.status_code in (200, 400)
    sub.refresh_from_db()
    assert sub.status == status


def test_an_active_subscriptions_pages_show_no_refusal(personas, login):
    sub = SubscriptionFactory(company=personas.company_a, status=Subscription.Status.ACTIVE)
    client = login(personas.admin_a)
    for page, (_status, message) in PAGES.items():
        response = client.get(reverse(f"subscriptions:{page}", kwargs={"subscription_id": sub.pk}))
        assert response.status_code == 200
        assert message not in response.content.decode()
