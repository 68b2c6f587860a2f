"""The employee's own pages: their subscription(s) only, PIN/PUK on request (audited), usage, rules, requests."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from employees import selectors
from employees.tests.factories import EmployeeRequestFactory
from invoicing.models import UsageRecord
from registry.rules import Rule, register_rule_provider, unregister_rule_provider
from subscriptions.tests.factories import AddOnFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_the_page_shows_the_subscription_blocks_and_add_ons(employee_client, anna):
    anna.block_roaming = True
    anna.save()
    anna.add_ons.add(AddOnFactory(name="EU data 10 GB"))
    page = employee_client("anna@alfa.dk").get(f"/employee/{anna.pk}/").content.decode()
    assert "Mobile 5 GB" in page
    assert "31 00 13 14" in page  # the number, formatted (the factory's sequence differs per test worker)
    assert anna.iccid in page
    assert "EU data 10 GB" in page
    assert "Calls, texts and data abroad" in page and "Blocked" in page
    assert "1234" not in page  # the PIN only on request
    assert "Ask for another subscription type" in page


def test_the_one_subscription_is_opened_from_the_index(employee_client, anna):
    response = employee_client("anna@alfa.dk").get("/employee/")
    assert response.status_code == 302
    assert response["Location"] == f"/employee/{anna.pk}/"


def test_several_subscriptions_are_listed(employee_client, anna, personas, products):
    second = SubscriptionFactory(company=personas.company_b, email="ANNA@alfa.dk", product=products[1])
    client = employee_client("anna@alfa.dk")
    page = client.get("/employee/").content.decode()
    assert f"/employee/{anna.pk}/" in page and f"/employee/{second.pk}/" in page
    assert client.get(f"/employee/{second.pk}/").status_code == 200


@pytest.mark.parametrize("path", ["", "pin/", "ask/", "hardware/"])
def test_another_employees_subscription_is_404(employee_client, anna, bo, path):
    client = employee_client("anna@alfa.dk")
    url = f"/employee/{bo.pk}/{path}"
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "sim", "ship_to": "Street 1"}).status_code == 404
    assert client.get(f"/employee/{bo.pk + 1000}/{path}").status_code == 404
    assert not bo.employee_requests.exists()
    assert not AuditEvent.objects.unscoped().filter(action="subscription.secret_revealed").exists()


@pytest.mark.parametrize("path", ["", "pin/", "ask/", "hardware/"])
def test_the_pages_need_the_employee_sign_in(client, anna, path):
    response = client.get(f"/employee/{anna.pk}/{path}")
    assert response.status_code == 302
    assert response["Location"] == reverse("employees:sign_in")


def test_an_admin_is_not_an_employee(login, personas, anna):
    """A portal admin's session does not open the employee's pages (one identity per session)."""
    assert login(personas.admin_a).get(f"/employee/{anna.pk}/").status_code == 302


def test_pin_and_puk_on_request_audited(employee_client, anna):
    client = employee_client("anna@alfa.dk")
    response = client.post(f"/employee/{anna.pk}/pin/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    assert b'data-testid="pin">1234<' in response.content
    assert b"87654321" in response.content
    event = AuditEvent.objects.unscoped().get(action="subscription.secret_revealed")
    assert event.company_id == anna.company_id and event.actor is None and event.actor_label == "anna@alfa.dk"
    assert client.get(f"/employee/{anna.pk}/pin/").status_code == 302  # a GET reveals nothing


def test_the_reveal_is_rate_limited_for_employees_too(employee_client, anna, settings):
    settings.SECRET_REVEAL_LIMIT = 2
    client = employee_client("anna@alfa.dk")
    for _ in range(2):
        assert b"87654321" in client.post(f"/employee/{anna.pk}/pin/").content
    refused = client.post(f"/employee/{anna.pk}/pin/")
    assert b"87654321" not in refused.content
    assert b'data-testid="secrets-error"' in refused.content
    assert AuditEvent.objects.unscoped().filter(action="subscription.secret_reveal_refused").count() == 1


def _usage(sub, kind, quantity, charge, when):
    return UsageRecord.objects.create(
        company=sub.company, subscription=sub, time=when, type=kind, quantity=Decimal(quantity), charge=charge
    )


def test_usage_this_month_so_far(employee_client, anna, bo):
    now = timezone.now()
    _usage(anna, "voice", "12.5", 0, now)
    _usage(anna, "data", "2048", 0, now)
    _usage(anna, "premium", "1", 2500, now)
    _usage(anna, "voice", "99", 0, now - datetime.timedelta(days=40))  # last month
    _usage(bo, "voice", "77", 0, now)  # a colleague's
    lines = {line.type: line for line in selectors.month_to_date([anna])[anna.pk]}
    assert lines["voice"].quantity == Decimal("12.5")
    assert lines["data"].quantity == Decimal("2048")
    assert lines["premium"].charge == 2500
    page = employee_client("anna@alfa.dk").get(f"/employee/{anna.pk}/").content.decode()
    from common.formats import data_volume

    assert "12.5" in page and data_volume(Decimal("2048")) in page
    assert "77" not in page.split('data-testid="employee-usage"')[1].split("</table>")[0]


def test_the_page_has_a_fixed_query_count(employee_client, anna, personas, django_assert_max_num_queries):
    client = employee_client("anna@alfa.dk")
    client.get(f"/employee/{anna.pk}/")  # warm the session

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/employee/{anna.pk}/").status_code == 200
        return len(queries)

    before = count()
    now = timezone.now()
    for i in range(20):
        _usage(anna, "voice", "1", 0, now)
        _usage(anna, "sms", "1", 0, now)
        EmployeeRequestFactory(subscription=anna, product=anna.product.allowed_changes.first())
        anna.add_ons.add(AddOnFactory(name=f"Add-on {i}"))
    assert count() == before


def test_rules_come_from_the_registry(employee_client, anna):
    def caps(subs):
        return {s.pk: [Rule(title="Data abroad per month", state="500 kr.", restricts=True)] for s in subs}

    register_rule_provider("test.caps", caps)
    try:
        page = employee_client("anna@alfa.dk").get(f"/employee/{anna.pk}/").content.decode()
    finally:
        unregister_rule_provider("test.caps")
    assert "Data abroad per month" in page and "500 kr." in page


def test_danish(employee_client, anna):
    client = employee_client("anna@alfa.dk")
    client.post("/me/language/", {"language": "da"})
    page = client.get(f"/employee/{anna.pk}/").content.decode()
    assert "Dit abonnement" in page
    assert "Mobil 5 GB" in page


def test_the_requests_of_the_subscriptions_previous_user_are_not_shown(employee_client, anna, products):
    """A subscription handed on to a new employee: the previous user's requests stay theirs (their address)."""
    EmployeeRequestFactory(subscription=anna, product=products[1], email="anna@alfa.dk")
    anna.user_name, anna.email = "Carl Nielsen", "Carl@alfa.dk"
    anna.save()
    page = employee_client("carl@alfa.dk").get(f"/employee/{anna.pk}/").content.decode()
    assert 'data-testid="employee-requests"' not in page
    assert selectors.my_requests([anna], email="CARL@alfa.dk") == []
    assert len(selectors.my_requests([anna], email="anna@ALFA.dk")) == 1
