"""The API clients page and its key page in a browser: axe-core at WCAG 2.2 AA, both languages.

The accessibility gate (portal/tests/test_accessibility.py) scans the list page as a GET route; the
key page only appears after a POST, so it is scanned here after creating a client."""

import json

import pytest
from django.urls import reverse

from api.tests.factories import make_client
from portal.testing import browser_sign_in
from portal.tests.test_accessibility import AXE, RUN_AXE, TAGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "da"])
def test_creating_a_client_shows_its_key_once_and_passes_axe(browser, live_server, personas, language):
    personas.admin_a.language = language
    personas.admin_a.save()
    make_client(personas.company_a, name="Lønsystem")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    browser_sign_in(page, live_server.url, personas.admin_a, personas.company_a)
    found = {}

    def axe(name):
        page.evaluate(AXE.read_text())
        violations = page.evaluate(RUN_AXE, TAGS)
        if violations:
            found[name] = violations

    page.goto(live_server.url + reverse("api_clients:list"))
    axe("list")
    page.fill("#id_client-name", "HR-system")
    page.check("input[name=client-access][value=full]")
    page.check("input[name=client-areas][value=subscriptions]")
    page.locator("form.portal-form button[type=submit]").click()
    key = page.locator("[data-testid=api-key]").input_value()
    assert key.startswith("sskey_")
    axe("key")
    page.locator("a.btn-primary").click()
    assert key not in page.content()
    assert "HR-system" in page.content()
    context.close()
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)
