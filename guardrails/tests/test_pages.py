"""The rules page, a level's form, the line's timeline and the profile's note."""

import pytest

from audit.actor import Actor
from guardrails import actions
from guardrails.models import Policy
from guardrails.tests.helpers import import_rows
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_it_lists_the_rules_and_says_the_most_specific_wins(personas, login):
    Policy.objects.create(company=personas.company_a, scope="cost_centre", cost_centre="Salg", spend_cap=20000)
    response = login(personas.admin_a).get("/guardrails/")
    assert response.status_code == 200
    assert b"The most specific rule wins" in response.content
    assert b"Cost centre Salg" in response.content
    assert b"e-mail only" in response.content


def test_it_saves_the_rules_for_everyone(personas, login):
    client = login(personas.admin_a)
    response = client.post(
        "/guardrails/everyone/",
        {"spend_cap": "500.00", "data_cap_gb": "10", "roaming_eu": "", "roaming_world": "250", "premium": "blocked"},
    )
    assert response.status_code == 302
    policy = Policy.objects.for_company(personas.company_a).get()
    assert (policy.spend_cap, policy.data_cap_mb, policy.roaming_caps, policy.premium) == (
        50000,
        10240,
        {"world": 25000},
        "blocked",
    )


def test_danish_amounts_are_read_with_a_decimal_comma(personas, login):
    personas.admin_a.language = "da"
    personas.admin_a.save()
    response = login(personas.admin_a).post("/guardrails/everyone/", {"spend_cap": "1.234,50"})
    assert response.status_code == 302
    assert Policy.objects.for_company(personas.company_a).get().spend_cap == 123450


def test_bad_input_is_a_form_error(personas, login):
    response = login(personas.admin_a).post("/guardrails/everyone/", {"spend_cap": "-5"})
    assert response.status_code == 400
    assert not Policy.objects.for_company(personas.company_a).exists()


def test_a_cost_centre_rule_is_made_from_the_list(personas, login):
    client = login(personas.admin_a)
    response = client.post("/guardrails/", {"cost_centre": "Salg"})
    assert response.status_code == 302
    response = client.post(response["Location"], {"spend_cap": "100"})
    assert response.status_code == 302
    assert Policy.objects.for_company(personas.company_a).get().cost_centre == "Salg"


def test_the_opt_out_is_offered_for_one_user_only(personas, login):
    sub = SubscriptionFactory(company=personas.company_a)
    client = login(personas.admin_a)
    assert b"eu_rule_opt_out" not in client.get("/guardrails/everyone/").content
    assert b"eu_rule_opt_out" in client.get(f"/guardrails/line/{sub.pk}/rules/").content


def test_read_only_admins_see_the_rules_without_a_form(personas, login):
    response = login(personas.readonly_a).get("/guardrails/everyone/")
    assert response.status_code == 200
    assert b'data-testid="policy-form"' not in response.content


def test_the_timeline_tells_why_the_line_is_barred(personas, login, django_assert_max_num_queries):
    sub = SubscriptionFactory(company=personas.company_a, phone_number="+4520123456")
    actions.save_policy(
        company=personas.company_a, scope="company", data={"data_cap_mb": 1024}, by=Actor(user=personas.admin_a)
    )
    import_rows(("+4520123456", "data", 1100, 0, ""))
    client = login(personas.admin_a)
    with django_assert_max_num_queries(16):
        response = client.get(f"/guardrails/line/{sub.pk}/")
    text = response.content.decode()
    assert 'data-testid="timeline-barred"' in text
    assert 'data-testid="timeline-warning-threshold"' in text
    assert 'data-testid="timeline-rules"' in text
    assert "admin-a@alfa.dk" in text  # who changed the rules


def test_the_timelines_queries_do_not_grow_with_its_history(personas, login, django_assert_num_queries):
    sub = SubscriptionFactory(company=personas.company_a, phone_number="+4520123456")
    client = login(personas.admin_a)
    client.get(f"/guardrails/line/{sub.pk}/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(f"/guardrails/line/{sub.pk}/")
    for cap in (1024, 2048, 4096):
        actions.save_policy(
            company=personas.company_a, scope="company", data={"data_cap_mb": cap}, by=Actor(user=personas.admin_a)
        )
        import_rows(("+4520123456", "data", 1100, 0, ""))
    with django_assert_num_queries(len(before)):
        client.get(f"/guardrails/line/{sub.pk}/")


def test_the_profile_says_a_guardrail_barred_the_line(personas, login):
    sub = SubscriptionFactory(company=personas.company_a, phone_number="+4520123456")
    actions.save_policy(company=personas.company_a, scope="company", data={"data_cap_mb": 1}, by=Actor.system("t"))
    import_rows(("+4520123456", "data", 5, 0, ""))
    response = login(personas.admin_a).get(f"/subscriptions/{sub.pk}/")
    assert b'data-testid="why-barred"' in response.content


def test_the_overview_counts_barred_lines_and_waiting_requests(personas, login):
    sub = SubscriptionFactory(company=personas.company_a, phone_number="+4520123456")
    actions.save_policy(company=personas.company_a, scope="company", data={"data_cap_mb": 1}, by=Actor.system("t"))
    import_rows(("+4520123456", "data", 5, 0, ""))
    assert sub.pk
    response = login(personas.admin_a).get("/")
    assert b'data-testid="guardrails-overview"' in response.content
    assert b"1 line barred now" in response.content
