"""Asking for more: the warning's signed link, the admin's one-click confirm page, POST-only use."""

import re

import pytest
from django.test import Client

from audit.actor import Actor
from audit.models import AuditEvent
from companies.tests.factories import CompanyFactory, MembershipFactory
from guardrails import actions
from guardrails.models import Bar, Policy, RaiseRequest
from guardrails.tests.helpers import import_rows
from outbox.models import OutboxMessage
from subscriptions.models import Subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
PHONE = "+4520123456"


@pytest.fixture
def barred():
    company = CompanyFactory(name="Rejse ApS")
    MembershipFactory(company=company, user__email="admin@rejse.dk")
    sub = SubscriptionFactory(company=company, phone_number=PHONE, email="mette@rejse.dk")
    actions.save_policy(company=company, scope=Policy.Scope.COMPANY, data={"data_cap_mb": 1024}, by=Actor.system("t"))
    import_rows((PHONE, "data", 1100, 0, ""))
    assert Subscription.all_companies.get(pk=sub.pk).block_data
    return sub


def _path(body: str, kind: str) -> str:
    return re.search(rf"https?://[^/\s]+(/guardrails/links/{kind}/\S+/)", body).group(1)


def _latest(to: str, kind: str) -> OutboxMessage:
    return OutboxMessage.objects.filter(to=[to], body__contains=f"/guardrails/links/{kind}/").latest("id")


def _ask_path() -> str:
    return _path(_latest("mette@rejse.dk", "ask").body, "ask")


def test_the_link_shows_the_form_and_a_get_spends_nothing(barred):
    client = Client()
    response = client.get(_ask_path())
    assert response.status_code == 200
    assert b'data-testid="ask-title"' in response.content
    assert not RaiseRequest.all_companies.exists()


def test_the_employee_asks_and_the_admins_get_a_confirm_link(barred):
    response = Client().post(_ask_path(), {"metric": "data", "amount": "2", "reason": "Messe i Hamborg"})
    assert b'data-testid="ask-sent"' in response.content
    raise_request = RaiseRequest.all_companies.get()
    assert (raise_request.amount, raise_request.reason, raise_request.status) == (2048, "Messe i Hamborg", "pending")
    assert AuditEvent.all_companies.filter(action="guardrails.raise_requested").exists()
    assert OutboxMessage.objects.filter(to=["admin@rejse.dk"], body__contains="/guardrails/links/decide/").count() == 1


def test_asking_twice_is_refused_with_a_form_error(barred):
    path = _ask_path()
    Client().post(path, {"metric": "data", "amount": "2", "reason": "Messe"})
    response = Client().post(path, {"metric": "data", "amount": "2", "reason": "Messe"})
    assert response.status_code == 400
    assert RaiseRequest.all_companies.count() == 1


def test_an_empty_reason_is_a_form_error(barred):
    response = Client().post(_ask_path(), {"metric": "data", "amount": "2", "reason": "  "})
    assert response.status_code == 400


def test_a_forged_link_answers_404(barred):
    assert Client().get("/guardrails/links/ask/forged/").status_code == 404
    assert Client().get("/guardrails/links/decide/forged/").status_code == 404


def _decide_path(barred) -> str:
    Client().post(_ask_path(), {"metric": "data", "amount": "2", "reason": "Messe"})
    return _path(_latest("admin@rejse.dk", "decide").body, "decide")


def test_the_admin_approves_from_the_confirm_page_and_the_bar_lifts_at_once(barred):
    path = _decide_path(barred)
    client = Client()
    assert b'data-testid="approve"' in client.get(path).content
    assert RaiseRequest.all_companies.get().status == "pending"  # the GET (a mail scanner) decides nothing
    response = client.post(path, {"decision": "approve"})
    assert b'data-testid="decided"' in response.content
    raise_request = RaiseRequest.all_companies.get()
    assert raise_request.status == "approved" and raise_request.decided_by.email == "admin@rejse.dk"
    assert not Subscription.all_companies.get(pk=barred.pk).block_data
    assert Bar.all_companies.get().lift_reason == Bar.Lift.RAISE_APPROVED
    event = AuditEvent.all_companies.get(action="guardrails.raise_approved")
    assert event.actor.email == "admin@rejse.dk"
    assert (
        OutboxMessage.objects.filter(to=["mette@rejse.dk"]).latest("id").subject
        == "Din forhøjelse af mobildata er godkendt"
    )


def test_a_link_decides_once(barred):
    path = _decide_path(barred)
    Client().post(path, {"decision": "refuse"})
    Client().post(path, {"decision": "approve"})
    assert RaiseRequest.all_companies.get().status == "refused"
    assert Subscription.all_companies.get(pk=barred.pk).block_data


def test_an_unknown_decision_is_a_400(barred):
    assert Client().post(_decide_path(barred), {"decision": "maybe"}).status_code == 400


def test_an_admin_who_lost_the_area_can_no_longer_decide(barred):
    path = _decide_path(barred)
    from companies.models import Membership

    membership = Membership.objects.get(company=barred.company)
    membership.areas = ["invoice"]
    membership.save()
    assert Client().get(path).status_code == 404


def test_the_raise_is_counted_in_the_limit_until_the_month_ends(barred):
    Client().post(_decide_path(barred), {"decision": "approve"})
    import_rows((PHONE, "data", 500, 0, ""))  # 1600 MB of 1024 + 2048
    assert not Subscription.all_companies.get(pk=barred.pk).block_data
    import_rows((PHONE, "data", 1500, 0, ""))  # 3100 MB: over the raised limit
    assert Subscription.all_companies.get(pk=barred.pk).block_data
