"""Cost-centre limits and per-area levels reach the apps merged after the grants: the usage dashboard and its
reports, guardrails, the raise/approval e-mail links and who gets them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from companies.tests.factories import MembershipFactory
from guardrails import notify
from guardrails.models import Policy
from subscriptions.tests.factories import SubscriptionFactory
from usage.models import CostCentreMonthlyUsage, MonthlyUsage

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(personas):
    """A department head of Alfa: Subscriptions, full access, only the cost centre Lager."""
    return MembershipFactory(
        company=personas.company_a, areas=["subscriptions"], cost_centres=["Lager"], user__email="lager@alfa.dk"
    ).user


@pytest.fixture
def usage(personas):
    month = timezone.localdate().replace(day=1)
    mine = SubscriptionFactory(company=personas.company_a, user_name="Lene Lager", cost_centre="Lager")
    theirs = SubscriptionFactory(company=personas.company_a, user_name="Sune Salg", cost_centre="Salg")
    for sub, charge in ((mine, 1100), (theirs, 98700)):
        MonthlyUsage.all_companies.create(
            company=personas.company_a, subscription=sub, month=month, charge=charge, roaming_eu_count=1
        )
        CostCentreMonthlyUsage.all_companies.create(
            company=personas.company_a, cost_centre=sub.cost_centre, month=month, charge=charge
        )
    return mine, theirs


def test_the_usage_dashboard_shows_a_limited_admin_only_their_cost_centres(head, usage, login):
    client = login(head)
    page = client.get(reverse("usage:dashboard"))
    assert page.status_code == 200
    assert [row["cost_centre"] for row in page.context["centre_page"]] == ["Lager"]
    assert page.context["so_far"]["charge"] == 1100
    salg = client.get(reverse("usage:dashboard"), {"cost_centre": "Salg"})
    assert salg.status_code in (200, 400) and "Sune Salg" not in salg.text
    for name in ("usage:users", "usage:roaming"):
        text = client.get(reverse(name)).text
        assert "Lene Lager" in text and "Sune Salg" not in text, name
    assert client.get(reverse("usage:line", args=[usage[1].pk])).status_code == 404
    # No links into the whole company's pages they would be refused.
    assert reverse("usage:reports") not in page.text
    assert 'data-testid="all-rules"' not in client.get(reverse("guardrails:timeline", args=[usage[0].pk])).text


# Scheduled reports are open to a limited admin since they may schedule their cost centres' own
# (usage/tests/test_limited_reports.py: whole-company reports and other cost centres are refused there).
@pytest.mark.parametrize("url_name", ["guardrails:index", "guardrails:everyone"])
def test_whole_company_rules_are_refused_to_a_limited_admin(head, login, url_name):
    client = login(head)
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert 'data-testid="forbidden-limited"' in response.text


def test_a_limited_admin_cannot_set_the_rule_for_everyone_or_another_cost_centre(head, personas, login):
    client = login(head)
    client.post(reverse("guardrails:everyone"), {"spend": "1"})
    client.post(reverse("guardrails:new_cost_centre"), {"cost_centre": "Salg", "spend": "1"})
    salg = Policy.all_companies.create(company=personas.company_a, scope="cost_centre", cost_centre="Salg")
    assert client.get(reverse("guardrails:policy", args=[salg.pk])).status_code in (403, 404)
    assert client.post(reverse("guardrails:delete", args=[salg.pk])).status_code in (403, 404)
    assert list(Policy.all_companies.filter(company=personas.company_a)) == [salg]


def test_read_only_in_an_area_gets_no_approval_links_whatever_other_areas_allow(personas):
    from employees.actions import approvers as employee_approvers
    from products.actions import may_approve
    from products.models import Order

    read_only = MembershipFactory(
        company=personas.company_a,
        areas=["subscriptions", "products", "invoice"],
        read_only_areas=["subscriptions", "products"],
        user__email="ro@alfa.dk",
    )
    sub = SubscriptionFactory(company=personas.company_a, cost_centre="Salg")
    assert read_only.pk not in [m.pk for m in notify.admins(personas.company_a.pk, sub.cost_centre)]
    assert read_only.pk not in [m.pk for m in employee_approvers(sub)]
    order = Order(company=personas.company_a, placed_by=personas.admin_a)
    assert not may_approve(order, read_only.user)


def test_a_limited_admin_gets_no_links_for_another_cost_centres_line(personas, head):
    from employees.actions import approvers as employee_approvers

    salg = SubscriptionFactory(company=personas.company_a, cost_centre="Salg")
    assert head.pk not in [m.user_id for m in employee_approvers(salg)]
    assert head.pk not in [m.user_id for m in notify.admins(personas.company_a.pk, "Salg")]
    assert head.pk in [m.user_id for m in notify.admins(personas.company_a.pk, "Lager")]


def test_the_overview_guardrails_card_counts_only_a_limited_admins_lines(head, personas, login):
    from guardrails.models import Bar, RaiseRequest

    month = timezone.localdate().replace(day=1)
    for centre, n in (("Lager", 1), ("Salg", 3)):
        for _i in range(n):
            sub = SubscriptionFactory(company=personas.company_a, cost_centre=centre)
            Bar.all_companies.create(
                company=personas.company_a,
                subscription=sub,
                month=month,
                metric="spend",
                block_field="x",
                limit=1,
                used=2,
            )
            RaiseRequest.all_companies.create(
                company=personas.company_a, subscription=sub, month=month, metric="spend", amount=1, reason="r"
            )
    page = login(head).get(reverse("portal:overview")).text
    assert "1 line barred now" in page and "1 raise request waiting" in page
    assert 'data-testid="guardrails-rules"' not in page
