import re

import pytest
from django.urls import reverse

from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_it_counts_the_companys_subscriptions_on_the_overview(personas, login):
    SubscriptionFactory.create_batch(2, company=personas.company_a)
    SubscriptionFactory(company=personas.company_a, status="pending_active")
    SubscriptionFactory(company=personas.company_b)
    content = login(personas.admin_a).get(reverse("portal:overview")).content.decode()
    # Each count is a number over its label, linking to the list filtered by that status.
    assert re.search(
        r'data-testid="count-active"><span class="overview-count-number">2</span> <span[^>]*>active<', content
    )
    assert re.search(r'data-testid="count-pending"><span[^>]*>1</span> <span[^>]*>awaiting activation<', content)
    assert re.search(r'data-testid="count-ending"><span[^>]*>0</span> <span[^>]*>ending \(cancelled', content)
    assert '/subscriptions/?status=pending_active" data-testid="count-pending"' in content


def test_it_leaves_the_section_out_without_the_grant(personas, login):
    content = login(personas.invoice_only_a).get(reverse("portal:overview")).content
    assert b'data-testid="subscriptions-overview"' not in content
