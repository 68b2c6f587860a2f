"""The month-start command, and a lowered cap barring through the re-evaluation task."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.actor import Actor
from guardrails import actions
from guardrails.models import Bar, Policy, RaiseRequest
from guardrails.tests.helpers import import_rows
from subscriptions.models import Subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
PHONE = "+4520123456"


def test_the_command_lifts_last_months_bars_and_is_idempotent(capsys):
    sub = SubscriptionFactory(phone_number=PHONE)
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    Subscription.all_companies.filter(pk=sub.pk).update(block_roaming=True)
    Bar.objects.create(
        company=sub.company,
        subscription=sub,
        month=last_month,
        metric="roaming:world",
        block_field="block_roaming",
        limit=37300,
        used=40000,
    )
    RaiseRequest.objects.create(
        company=sub.company, subscription=sub, month=last_month, metric="roaming:world", amount=10000, reason="x"
    )
    call_command("guardrails_month_start")
    assert "lifted 1 bars, expired 1 raise requests" in capsys.readouterr().out
    call_command("guardrails_month_start")
    assert "lifted 0 bars, expired 0 raise requests" in capsys.readouterr().out
    assert not Subscription.all_companies.get(pk=sub.pk).block_roaming


def test_a_lowered_cap_bars_the_lines_already_over_it(django_capture_on_commit_callbacks):
    sub = SubscriptionFactory(phone_number=PHONE)
    import_rows((PHONE, "data", 2000, 0, ""))
    assert not Subscription.all_companies.get(pk=sub.pk).block_data
    with django_capture_on_commit_callbacks(execute=True):
        actions.save_policy(
            company=sub.company, scope=Policy.Scope.COMPANY, data={"data_cap_mb": 1024}, by=Actor.system("t")
        )
    assert Subscription.all_companies.get(pk=sub.pk).block_data
