"""The raise requests waiting, decided in the portal: the same action as the e-mail's confirm page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from companies.tests.factories import MembershipFactory
from guardrails.actions import this_month
from guardrails.models import RaiseRequest
from outbox.models import OutboxMessage
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def _ask(company, cost_centre="Salg", email="mette@alfa.dk"):
    sub = SubscriptionFactory(company=company, cost_centre=cost_centre, email=email)
    return RaiseRequest.objects.create(
        company=company, subscription=sub, month=this_month(), metric="data", amount=2048, reason="Messe i Hamborg"
    )


def test_it_lists_the_requests_waiting_with_a_count_and_the_overview_has_the_badge(personas, login):
    _ask(personas.company_a)
    _ask(personas.company_a, cost_centre="Lager")
    client = login(personas.admin_a)
    page = client.get("/guardrails/requests/").content.decode()
    assert page.count('data-testid="raise-request-row"') == 2
    assert 'data-testid="requests-count">2<' in page
    assert page.count('data-testid="approve"') == 2
    overview = client.get("/").content.decode()
    assert 'data-testid="guardrails-requests-badge">2<' in overview


def test_approving_in_the_portal_decides_as_the_signed_in_admin_audited(personas, login):
    row = _ask(personas.company_a)
    response = login(personas.admin_a).post(f"/guardrails/requests/{row.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.decided_by) == ("approved", personas.admin_a)
    event = AuditEvent.all_companies.get(action="guardrails.raise_approved")
    assert event.actor == personas.admin_a
    assert OutboxMessage.objects.filter(to=["mette@alfa.dk"]).exists()  # the employee is told
    # Once: a second click says it was answered and changes nothing.
    response = login(personas.admin_a).post(
        f"/guardrails/requests/{row.pk}/decide/", {"decision": "refuse"}, follow=True
    )
    assert b"already answered" in response.content
    row.refresh_from_db()
    assert row.status == "approved"


def test_refusing_and_a_bad_decision(personas, login):
    row = _ask(personas.company_a)
    client = login(personas.admin_a)
    client.post(f"/guardrails/requests/{row.pk}/decide/", {"decision": "maybe"})
    row.refresh_from_db()
    assert row.status == "pending"
    client.post(f"/guardrails/requests/{row.pk}/decide/", {"decision": "refuse"})
    row.refresh_from_db()
    assert row.status == "refused"
    assert AuditEvent.all_companies.filter(action="guardrails.raise_refused").exists()


def test_a_cost_centre_limited_admin_sees_and_decides_only_their_lines(personas, login):
    mine = _ask(personas.company_a, cost_centre="Salg")
    other = _ask(personas.company_a, cost_centre="Lager")
    limited = MembershipFactory(company=personas.company_a, cost_centres=["Salg"]).user
    client = login(limited)
    page = client.get("/guardrails/requests/").content.decode()
    assert page.count('data-testid="raise-request-row"') == 1 and f"/guardrails/line/{mine.subscription_id}/" in page
    assert client.post(f"/guardrails/requests/{other.pk}/decide/", {"decision": "approve"}).status_code == 404
    assert client.post(f"/guardrails/requests/{mine.pk}/decide/", {"decision": "approve"}).status_code == 302
    other.refresh_from_db()
    mine.refresh_from_db()
    assert (mine.status, other.status) == ("approved", "pending")


def test_read_only_admins_see_the_list_without_buttons_and_cannot_decide(personas, login):
    row = _ask(personas.company_a)
    client = login(personas.readonly_a)
    page = client.get("/guardrails/requests/").content.decode()
    assert 'data-testid="raise-request-row"' in page and 'data-testid="approve"' not in page
    assert client.post(f"/guardrails/requests/{row.pk}/decide/", {"decision": "approve"}).status_code == 403
    row.refresh_from_db()
    assert row.status == "pending"


def test_another_companys_request_answers_404(personas, login):
    row = _ask(personas.company_b)
    assert (
        login(personas.admin_a).post(f"/guardrails/requests/{row.pk}/decide/", {"decision": "approve"}).status_code
        == 404
    )


def test_the_pages_queries_do_not_grow_with_the_requests(personas, login):
    client = login(personas.admin_a)
    _ask(personas.company_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/guardrails/requests/").status_code == 200
        return len(captured)

    count()  # the first request warms the session
    assert count() == 4  # session, user, the count, the page
    for n in range(10):
        _ask(personas.company_a, cost_centre=f"CC{n}")
    assert count() == 4
