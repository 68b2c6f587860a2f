"""The counts the overview and the list show come from counters the database keeps; they stay right."""

import datetime

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from audit.actor import Actor
from subscriptions import actions, selectors
from subscriptions.models import Subscription, SubscriptionCount
from subscriptions.tests.factories import SubscriptionFactory
from subscriptions.tests.test_create import walk

pytestmark = pytest.mark.django_db
DAY = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()


def truth(company):
    qs = Subscription.objects.filter(company=company)
    by_type = dict(qs.order_by().values_list("product_id").annotate(n=Count("id")))
    centres = sorted(set(qs.exclude(cost_centre="").values_list("cost_centre", flat=True)))
    return dict(qs.order_by().values_list("status").annotate(n=Count("id"))), by_type, centres


def assert_right(company):
    statuses, by_type, centres = truth(company)
    assert selectors.status_counts(company) == statuses
    assert selectors.type_counts(company) == by_type
    assert selectors.cost_centres(company) == centres
    for status in statuses:
        assert sum((selectors.type_counts(company, status=status) or {}).values()) == statuses[status]


def test_the_counts_follow_create_activate_cancel_and_bulk_changes(
    personas, login, catalogue, django_capture_on_commit_callbacks
):
    company = personas.company_a
    client = login(personas.admin_a)
    assert_right(company)
    # The creation guide: the subscription is created pending and activated by its provisioning task.
    summary = walk(client, catalogue)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("subscriptions:create_summary"), {"token": summary.context["token"]})
    assert selectors.status_counts(company) == {"active": 1}
    assert_right(company)
    subs = [SubscriptionFactory(company=company, product=catalogue["mobil-basis-5"]) for _ in range(4)]
    SubscriptionFactory(company=personas.company_b)
    assert_right(company)
    actions.cancel(
        subs[0], on=timezone.localdate() + datetime.timedelta(days=60), reason="Stopper", by=Actor.system("t")
    )
    assert_right(company)
    actions.withdraw_cancellation(Subscription.all_companies.get(pk=subs[0].pk), by=Actor.system("t"))
    assert_right(company)
    # Bulk: cancel three, change the type of the rest, a new cost centre for all.
    data = {"action": "cancel", "ids": [s.pk for s in subs[1:]], "end_date": DAY, "reason": "Omstrukturering"}
    preview = client.post(reverse("subscriptions:bulk"), data)
    client.post(reverse("subscriptions:bulk"), {**data, "token": preview.context["preview"].token, "apply": "1"})
    assert selectors.status_counts(company)["pending_terminate"] == 3
    assert_right(company)
    data = {"action": "change_product", "ids": [subs[0].pk], "target": catalogue["mobil-plus-30"].pk}
    preview = client.post(reverse("subscriptions:bulk"), data)
    client.post(reverse("subscriptions:bulk"), {**data, "token": preview.context["preview"].token, "apply": "1"})
    assert_right(company)
    data = {"action": "cost_centre", "all": "on", "cost_centre_value": "Økonomi"}
    preview = client.post(reverse("subscriptions:bulk"), data)
    client.post(reverse("subscriptions:bulk"), {**data, "token": preview.context["preview"].token, "apply": "1"})
    assert "Økonomi" in selectors.cost_centres(company)
    assert_right(company)
    # Paths that bypass save(): bulk_create, QuerySet.update, delete.
    Subscription.objects.bulk_create(
        [SubscriptionFactory.build(company=company, product=catalogue["mbb-50"], status="active") for _ in range(5)]
    )
    assert_right(company)
    Subscription.objects.filter(company=company, product=catalogue["mbb-50"]).update(status="suspended")
    assert selectors.status_counts(company)["suspended"] == 5
    assert_right(company)
    Subscription.objects.filter(company=company, status="suspended").delete()
    assert_right(company)
    assert_right(personas.company_b)


def test_the_overview_costs_the_same_queries_for_3_or_300_subscriptions(
    personas, login, catalogue, django_assert_num_queries
):
    client = login(personas.admin_a)
    SubscriptionFactory.create_batch(3, company=personas.company_a, product=catalogue["mobil-basis-5"])
    client.get(reverse("portal:overview"))
    # session, user, subscriptions (1: the one section not kept); the tickets, numbers, invoices, guardrails and
    # products sections kept until their data changes (portal.overview); no session save (at most one a minute:
    # portal.middleware.SlidingSessionMiddleware)
    with django_assert_num_queries(3):
        client.get(reverse("portal:overview"))
    caches["template_fragments"].clear()
    # Rendered afresh: session, user; tickets, subscriptions (1), guardrails (1), numbers, invoices, products (1).
    with django_assert_num_queries(11) as few:
        client.get(reverse("portal:overview"))
    # The subscriptions' section reads its counters, never the subscriptions.
    sqls = [q["sql"] for q in few.captured_queries]
    assert sum('FROM "subscriptions_subscriptioncount"' in sql for sql in sqls) == 1
    assert not any('FROM "subscriptions_subscription"' in sql for sql in sqls)
    Subscription.objects.bulk_create(
        [SubscriptionFactory.build(company=personas.company_a, product=catalogue["mobil-basis-5"]) for _ in range(297)]
    )
    with django_assert_num_queries(3):  # the subscriptions' section is never kept: its counters are live
        response = client.get(reverse("portal:overview"))
    assert 'data-testid="count-active"><span class="overview-count-number">300</span>' in response.content.decode()


def test_the_list_counts_its_pages_from_the_counters(personas, login, catalogue, django_assert_num_queries):
    SubscriptionFactory.create_batch(60, company=personas.company_a, product=catalogue["mobil-basis-5"])
    client = login(personas.admin_a)
    client.get(reverse("subscriptions:index"))
    with django_assert_num_queries(5) as queries:  # session, user, list version, counters, the page
        page = client.get(reverse("subscriptions:index"), {"page": 2})
    assert page.context["page"].paginator.count == 60 and len(page.context["page"].object_list) == 10
    assert not any("COUNT(" in q["sql"] and 'subscriptions_subscription"' in q["sql"] for q in queries)
    searched = client.get(reverse("subscriptions:index"), {"q": "bruger"})
    assert searched.context["page"].paginator.count == 60


def test_reconcile_rebuilds_counts_that_were_off(personas, catalogue, capsys):
    SubscriptionFactory.create_batch(3, company=personas.company_a, product=catalogue["mobil-basis-5"])
    SubscriptionCount.objects.filter(company=personas.company_a).update(count=99)
    call_command("reconcile_subscription_counts")
    assert "1 count(s) corrected" in capsys.readouterr().out
    assert_right(personas.company_a)
    call_command("reconcile_subscription_counts", "--check")
    assert "all counts were right" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_truncate_empties_the_counts_on_postgresql(personas, catalogue):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite has none)")
    SubscriptionFactory.create_batch(2, company=personas.company_a, product=catalogue["mobil-basis-5"])
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE subscriptions_subscription CASCADE")
    assert selectors.status_counts(personas.company_a) == {}
    assert not SubscriptionCount.all_companies.exists()
