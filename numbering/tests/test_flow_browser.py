"""The call-flow editor in a browser, saved as it loads (with its empty "new destination" row)."""

import pytest
from playwright.sync_api import Page, expect

from numbering.models import CallFlowVersion
from numbering.tests.factories import CallFlowVersionFactory
from portal.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_editor_saves_unchanged_with_its_empty_new_row(page: Page, live_server, personas, language):
    personas.admin_a.language = language
    personas.admin_a.save()
    CallFlowVersionFactory(company=personas.company_a, version=1)
    browser_sign_in(page, live_server.url, personas.admin_a)
    page.goto(f"{live_server.url}/numbers/flow/edit/")
    expect(page.get_by_test_id("destination")).to_have_count(6)  # five destinations and the empty row
    page.click("[data-testid=flow-save]")
    page.wait_for_url(f"{live_server.url}/numbers/flow/")
    expect(page.get_by_role("alert").or_(page.locator(".alert-success"))).to_be_visible()
    latest = CallFlowVersion.objects.filter(company=personas.company_a).order_by("-version").first()
    assert latest.version == 2
    assert set(latest.document["destinations"]) == {"menu", "sales", "voicemail", "closed", "mobile"}


def test_a_danish_admin_tests_a_call_on_the_first_click(page: Page, live_server, personas):
    personas.admin_a.language = "da"
    personas.admin_a.save()
    CallFlowVersionFactory(company=personas.company_a)
    browser_sign_in(page, live_server.url, personas.admin_a)
    page.goto(f"{live_server.url}/numbers/flow/")
    # The date field comes up filled in (ISO value, shown in the browser's own format).
    assert page.input_value("#id_date")
    page.click("[data-testid=test-call]")
    expect(page.get_by_test_id("call-path")).to_be_visible()
