"""The employee's own page (employees, emp16) says what a guardrail bars and links to the raise request page."""

import pytest
from django.test import Client

from audit.actor import Actor
from employees.tests.conftest import employee_client  # noqa: F401  (the fixture: signed in through the real link)
from guardrails import actions
from guardrails.models import RaiseRequest
from guardrails.tests.helpers import import_rows
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_the_barred_employee_sees_why_and_asks_for_more(personas, employee_client):  # noqa: F811
    sub = SubscriptionFactory(company=personas.company_a, email="anna@alfa.dk", phone_number="+4520123456")
    actions.save_policy(company=personas.company_a, scope="company", data={"data_cap_mb": 1024}, by=Actor.system("t"))
    import_rows(("+4520123456", "data", 1100, 0, ""))
    page = employee_client("anna@alfa.dk").get(f"/employee/{sub.pk}/").content.decode()
    assert 'data-testid="employee-guardrail-note"' in page
    ask = page.split('data-testid="employee-ask-raise"')[0].rsplit('href="', 1)[1].split('"')[0]
    response = Client().post(ask, {"metric": "data", "amount": "1", "reason": "Rejse"})
    assert b'data-testid="ask-sent"' in response.content
    assert RaiseRequest.all_companies.get().subscription == sub


def test_an_employee_without_bars_sees_no_note(personas, employee_client):  # noqa: F811
    sub = SubscriptionFactory(company=personas.company_a, email="anna@alfa.dk")
    page = employee_client("anna@alfa.dk").get(f"/employee/{sub.pk}/").content.decode()
    assert "employee-guardrail-note" not in page
