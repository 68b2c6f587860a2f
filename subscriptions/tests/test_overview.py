import pytest
from django.urls import reverse

from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_it_counts_the_companys_subscriptions_on_the_overview(personas, login):
    SubscriptionFactory.create_batch(2, company=personas.company_a)
    SubscriptionFactory(company=personas.company_a, status="pending_active")
    SubscriptionFactory(company=personas.company_b)
    content = login(personas.admin_a).get(reverse("portal:overview")).content.decode()
    assert "2 active · 1 awaiting activation · 0 cancelled" in content


def test_it_leaves_the_section_out_without_the_grant(personas, login):
    content = login(personas.invoice_only_a).get(reverse("portal:overview")).content
    assert b'data-testid="subscriptions-overview"' not in content
