"""axe-core on every page a customer admin or a staff member reaches, in English and Danish: 0 violations.

The pages are the route walkers' list (every GET route of the portal's own apps that answers with an HTML
page, with URL arguments from each app's ``URL_KWARGS`` factories) plus the signed-out pages, on the demo
data so that lists, charts and forms have content. Customer routes are scanned as a full admin, staff routes
as operator staff, each signed in by session cookie. Every ``<details>`` is opened before the scan so that
what it hides is checked too. Pages at 1366x900; pages with lists again at 390x844, where the lists become
cards (and the page must not scroll sideways).

axe-core comes from npm (package.json at the repository root; ``bin/setup --dev`` runs ``npm ci``).
One browser and one tab per user are reused for all pages, so the whole gate takes well under a minute.
"""

import json
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from companies.models import Company
from portal.testing import browser_sign_in, portal_routes, url_kwarg_factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 level A and AA (axe tags every rule with the version and level that introduced it).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SIGNED_OUT = ["account_login", "account_reset_password", "account_reset_password_done", "employees:sign_in"]
RUN_AXE = """async (tags) => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n')[1])}));
}"""


def _is_staff(route) -> bool:
    return "staff" in route.name.split(":")[1]


def html_pages(user: User, company: Company, *, staff: bool) -> list[str]:
    """The walkers' GET routes this user sees as an HTML page (downloads, redirects and POST-only routes
    are left out)."""
    factories = url_kwarg_factories()
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["active_company_id"] = company.pk
    session.save()
    urls = []
    for route in portal_routes():
        if _is_staff(route) != staff:
            continue
        url = reverse(route.name, kwargs={k: factories[k](company) for k in route.kwargs})
        response = client.get(url)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            urls.append(url)
    return urls


def scan(page, base: str, urls: list[str], language: str) -> tuple[dict[str, list[dict]], int]:
    source = AXE.read_text()
    found: dict[str, list[dict]] = {}
    phone_scans = 0
    for url in urls:
        response = page.goto(base + url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        assert page.locator("html").get_attribute("lang") == language, url
        _axe(page, source, found, url)
        if page.locator("table.table-cards").count():
            # Lists turn into cards on phones: scan that layout too, and check nothing scrolls sideways.
            page.set_viewport_size(PHONE)
            _axe(page, source, found, f"{url} at 390 px")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                found[f"{url} at 390 px (layout)"] = [{"id": "page-scrolls-sideways", "width": width}]
            page.set_viewport_size(DESKTOP)
            phone_scans += 1
    return found, len(urls) + phone_scans


def _axe(page, source: str, found: dict, key: str) -> None:
    page.evaluate(source)
    violations = page.evaluate(RUN_AXE, TAGS)
    if violations:
        found[key] = violations


def scan_guide(page, base: str) -> tuple[dict[str, list[dict]], int]:
    """The new-subscription guide, each step as the admin reaches it (its pages need the steps before),
    and a step re-rendered with its errors."""
    source = AXE.read_text()
    found: dict[str, list[dict]] = {}
    page.goto(base + reverse("subscriptions:create_user") + "?restart=1")
    page.click("[data-testid=next]")  # empty: the step comes back with its error
    _axe(page, source, found, "guide: user step with an error")
    page.fill("#id_user_name", "Åse Test")
    page.click("[data-testid=next]")
    _axe(page, source, found, "guide: " + page.url)
    page.locator("input[name=product]").first.check()
    page.click("[data-testid=next]")
    _axe(page, source, found, "guide: " + page.url)
    page.check("input[name=choice][value=pool]")
    page.select_option("#id_pool_number", index=1)
    page.click("[data-testid=next]")
    scanned = 4
    if page.locator("[data-testid=step-sim]").count():
        _axe(page, source, found, "guide: " + page.url)
        page.check("input[name=choice][value=esim]")
        page.click("[data-testid=next]")
        scanned += 1
    page.wait_for_selector("[data-testid=summary]")
    _axe(page, source, found, "guide: " + page.url)
    return found, scanned + 1


def scan_bulk_bar(page, base: str) -> tuple[dict[str, list[dict]], int]:
    """The subscriptions list's bulk-update bar, shown once rows are ticked, and as an error brings it back
    (errors beside the fields, rows still ticked); at both widths, as the bar stays in view on phones too."""
    source = AXE.read_text()
    found: dict[str, list[dict]] = {}
    scanned = 0
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(base + reverse("subscriptions:index"))
        boxes = page.locator("input[name=ids]")
        boxes.nth(0).check()
        boxes.nth(1).check()
        page.locator("[data-testid=bulk-panel]").wait_for(state="visible")
        _axe(page, source, found, f"bulk bar, 2 ticked, {viewport['width']} px")
        page.click("[data-testid=bulk-preview]")  # no last day, no reason
        page.locator("[data-testid=bulk-error-end_date]").wait_for()
        _axe(page, source, found, f"bulk bar with errors, {viewport['width']} px")
        scanned += 2
    page.set_viewport_size(DESKTOP)
    return found, scanned


def scan_limited_overview(browser, base: str, company: Company) -> tuple[dict[str, list[dict]], int]:
    """The overview of an admin without every area: the card that explains the missing ones."""
    source = AXE.read_text()
    found: dict[str, list[dict]] = {}
    user = User.objects.get(email="erik@nordlys.dk")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    browser_sign_in(page, base, user, company)
    page.goto(base + reverse("portal:overview"))
    assert page.locator("[data-testid=missing-areas]").count() == 1
    _axe(page, source, found, "overview with areas missing")
    page.set_viewport_size(PHONE)
    _axe(page, source, found, "overview with areas missing at 390 px")
    context.close()
    return found, 2


def scan_cost_centre_limited(browser, base: str, company: Company) -> tuple[dict[str, list[dict]], int]:
    """A department head limited to a cost centre (frida@nordlys.dk): their subscriptions, their invoice lines,
    and the page that explains why a whole-company document (the invoice's PDF) is closed to them."""
    from invoicing.models import Invoice

    source = AXE.read_text()
    found: dict[str, list[dict]] = {}
    user = User.objects.get(email="frida@nordlys.dk")
    invoice = Invoice.objects.filter(company=company).order_by("-period").first()
    assert invoice is not None
    urls = [
        reverse("subscriptions:index"),
        reverse("invoice:index"),
        reverse("invoice:detail", args=[invoice.pk]),
        reverse("invoice:pdf", args=[invoice.pk]),
        reverse("audit:list"),
    ]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    browser_sign_in(page, base, user, company)
    for url in urls:
        page.goto(base + url)
        _axe(page, source, found, f"cost-centre-limited {url}")
    context.close()
    return found, len(urls)


@pytest.fixture
def demo(db):
    from subscriptions.catalogue import ensure_catalogue

    call_command("seed_demo", "--subscriptions", "20", "--tickets", "5", "--quiet-logins")
    ensure_catalogue()
    admin = User.objects.get(email="anne@nordlys.dk")
    staff = User.objects.get(email="staff@operator.example")
    company = Company.objects.get(name="Nordlys Gruppen A/S")
    return admin, staff, company


@pytest.mark.parametrize("language", ["en", "da"])
def test_every_page_passes_axe_at_wcag_2_2_aa(browser, live_server, demo, language):
    assert AXE.exists(), "axe-core is missing: run bin/setup --dev (npm ci)"
    admin, staff, company = demo
    started = time.monotonic()
    found: dict[str, list[dict]] = {}
    scanned = 0
    for user, is_staff in ((admin, False), (staff, True)):
        user.language = language
        user.save()
        urls = html_pages(user, company, staff=is_staff)
        # If signing in ever needs more than the session (a second factor), no page is reached: say so.
        assert len(urls) >= (5 if is_staff else 20), f"{user.email} reaches only {urls}"
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        browser_sign_in(page, live_server.url, user, company)
        violations, count = scan(page, live_server.url, urls, language)
        found |= violations
        scanned += count
        if not is_staff:
            for extra in (scan_guide, scan_bulk_bar):
                violations, count = extra(page, live_server.url)
                found |= violations
                scanned += count
        context.close()
    User.objects.filter(email="erik@nordlys.dk").update(language=language)
    violations, count = scan_limited_overview(browser, live_server.url, company)
    found |= violations
    scanned += count
    User.objects.filter(email="frida@nordlys.dk").update(language=language)
    violations, count = scan_cost_centre_limited(browser, live_server.url, company)
    found |= violations
    scanned += count
    # Signed out: the browser's language picks the page's.
    context = browser.new_context(viewport=DESKTOP, locale={"en": "en-GB", "da": "da-DK"}[language])
    violations, count = scan(context.new_page(), live_server.url, [reverse(n) for n in SIGNED_OUT], language)
    context.close()
    found |= violations
    scanned += count
    total = sum(len(v) for v in found.values())
    print(f"\naxe-core {language}: {scanned} pages, {total} violations, {time.monotonic() - started:.1f} s")
    assert scanned > 30
    assert not found, f"{total} axe violations at WCAG 2.2 AA ({language}):\n" + json.dumps(
        found, indent=1, ensure_ascii=False
    )
