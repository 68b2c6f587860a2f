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


@pytest.mark.parametrize("language", ["en", "da"])
def test_a_webhooks_delivery_history_passes_axe_and_redelivers(browser, live_server, personas, language, tmp_path):
    from api.models import WebhookAttempt, WebhookDelivery
    from api.tests.factories import make_delivery, make_hub

    personas.admin_a.language = language
    personas.admin_a.save()
    hub, _secret = make_hub(personas.company_a, callback="http://127.0.0.1:9/hr/hooks")
    delivery = make_delivery(personas.company_a, hub=hub, status="failed")
    WebhookAttempt.objects.create(delivery=delivery, number=1, status_code=502, error="HTTP 502", duration_ms=41)
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    browser_sign_in(page, live_server.url, personas.admin_a, personas.company_a)
    page.goto(live_server.url + reverse("api_clients:list"))
    page.locator(f"a[href='{reverse('api_clients:hub', args=[hub.pk])}']").click()
    page.evaluate(AXE.read_text())
    violations = page.evaluate(RUN_AXE, TAGS)
    page.screenshot(path=str(tmp_path / f"webhook-history-{language}.png"), full_page=True)
    assert "HTTP 502" in page.content()
    page.locator("form[action$='/redeliver/'] button").click()
    assert page.locator(".alert").count() >= 1
    assert WebhookDelivery.all_companies.get(pk=delivery.pk).tries >= 1
    context.close()
    assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)
