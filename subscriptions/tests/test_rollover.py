import datetime

import pytest
from django.core.management import call_command

from subscriptions.models import Subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_it_applies_due_type_changes_and_ends_cancelled_subscriptions(personas, catalogue):
    today = datetime.date.today()
    scheduled = SubscriptionFactory(
        company=personas.company_a,
        product=catalogue["mobil-basis-5"],
        scheduled_product=catalogue["mobil-fri"],
        scheduled_product_date=today,
    )
    later = SubscriptionFactory(
        company=personas.company_a,
        product=catalogue["mobil-basis-5"],
        scheduled_product=catalogue["mobil-fri"],
        scheduled_product_date=today + datetime.timedelta(days=3),
    )
    over = SubscriptionFactory(
        company=personas.company_b, status="pending_terminate", end_date=today - datetime.timedelta(days=1)
    )
    call_command("subscriptions_rollover")
    scheduled.refresh_from_db()
    later.refresh_from_db()
    over.refresh_from_db()
    assert (scheduled.product.code, scheduled.scheduled_product) == ("mobil-fri", None)
    assert later.product.code == "mobil-basis-5"
    assert over.status == Subscription.Status.TERMINATED
