"""The job page of a large bulk update follows its progress by itself, in a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import PASSWORD, UserFactory
from companies.tests.factories import CompanyFactory, MembershipFactory
from subscriptions import actions
from subscriptions.models import BulkJob, Subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_job_page_updates_itself_when_the_task_has_run(page: Page, live_server):
    company = CompanyFactory(name="Nordlys Test A/S")
    user = UserFactory(email="bulk@nordlys.dk")
    MembershipFactory(company=company, user=user)
    subs = [SubscriptionFactory(company=company) for _ in range(3)]
    # A job as the button leaves it: queued, its task not yet picked up by a worker.
    job = BulkJob.objects.create(
        company=company,
        action=BulkJob.Action.COST_CENTRE,
        cost_centre="IT",
        subscription_ids=[s.pk for s in subs],
        total=3,
        created_by=user,
        created_by_label=user.email,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    page.goto(f"{live_server.url}/subscriptions/bulk/{job.pk}/")
    expect(page.get_by_test_id("bulk-job")).to_contain_text("Waiting to start.")

    actions.run_bulk_job(job.pk)  # the worker

    expect(page.get_by_test_id("bulk-job-result")).to_contain_text(
        "Done: 3 subscriptions were changed.", timeout=10_000
    )
    expect(page.get_by_test_id("bulk-job-refresh")).to_have_count(0)
    assert set(Subscription.all_companies.values_list("cost_centre", flat=True)) == {"IT"}
