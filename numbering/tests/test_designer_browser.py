"""The call-flow designer in a browser, in English and Danish: a flow built from empty by keyboard only, a test
call marked on the diagram, a version scheduled and one rolled back; axe-core finds nothing on the pages.

The journey counts its key presses (Tab, Enter, arrows, typed names) and its actions (a button pressed, a choice
made): the "time to first useful flow" in docs/numbers.md comes from here.
"""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from numbering.models import CallFlowVersion, ScheduledFlowChange
from numbering.tests.factories import SubscriptionFactory
from portal.testing import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """async (tags) => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


class Keyboard:
    """Moves through the page with Tab only, counting every key, as a keyboard user would."""

    def __init__(self, page: Page) -> None:
        self.page, self.keys, self.actions = page, 0, 0

    def focused(self, selector: str) -> bool:
        return bool(self.page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector))

    def tab_to(self, selector: str, limit: int = 120) -> None:
        for _ in range(limit):
            if self.focused(selector):
                return
            self.page.keyboard.press("Tab")
            self.keys += 1
        raise AssertionError(f"Tab never reached {selector}")

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1

    def activate(self, selector: str) -> None:
        """Tab to a button or link and press Enter: one action."""
        self.tab_to(selector)
        self.press("Enter")
        self.actions += 1

    def choose(self, selector: str, downs: int = 1) -> None:
        """Tab to a select and pick with the arrow keys: one action."""
        self.tab_to(selector)
        for _ in range(downs):
            self.press("ArrowDown")
        self.actions += 1

    def type(self, text: str) -> None:
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)
        self.keys += 1 + len(text)
        self.actions += 1


def axe(page: Page, where: str, found: dict) -> None:
    page.evaluate(AXE.read_text())
    violations = page.evaluate(RUN_AXE, TAGS)
    if violations:
        found[where] = violations


@pytest.mark.parametrize("language", ["en", "da"])
def test_a_flow_built_from_empty_by_keyboard_then_tested_scheduled_and_rolled_back(
    page: Page, live_server, personas, language
):
    personas.admin_a.language = language
    personas.admin_a.save()
    SubscriptionFactory(company=personas.company_a, user_name="Anders Andersen")
    SubscriptionFactory(company=personas.company_a, user_name="Bente Berg")
    browser_sign_in(page, live_server.url, personas.admin_a)
    found: dict = {}
    page.goto(f"{live_server.url}/numbers/flow/design/")
    expect(page.get_by_test_id("no-steps")).to_be_visible()
    axe(page, "designer, empty", found)
    keys = Keyboard(page)

    # A ring group: the palette's button; the page comes back with the new step's name field focused.
    keys.activate("[data-testid=add-ring_group]")
    page.wait_for_selector("#id_step-ring-group-1-name:focus")
    keys.type("Reception")
    keys.choose("#id_step-ring-group-1-add_member")  # Anders
    keys.activate("#step-card-ring-group-1 [data-testid=add-member]")
    expect(page.locator("#step-card-ring-group-1 [data-member]")).to_have_count(1)
    keys.choose("#id_step-ring-group-1-add_member")  # Bente
    keys.activate("#step-card-ring-group-1 [data-testid=add-member]")
    expect(page.locator("#step-card-ring-group-1 [data-member]")).to_have_count(2)
    # Bente first: the arrow button moves her in the page (JavaScript), focus stays on her button.
    keys.activate("#step-card-ring-group-1 [data-member]:nth-child(2) [data-move=up]")
    expect(page.locator("#step-card-ring-group-1 [data-member-name]").first).to_contain_text("Bente Berg")
    # Voicemail when nobody answers: its e-mail is the admin's, filled in.
    keys.activate("[data-testid=add-voicemail]")
    page.wait_for_selector("#id_step-voicemail-1-name:focus")
    assert page.input_value("#id_step-voicemail-1-email") == personas.admin_a.email
    keys.choose("#id_step-ring-group-1-overflow")
    expect(page.locator(".flow-node[data-step=voicemail-1]")).to_have_count(1)
    axe(page, "designer with two steps", found)
    keys.activate("[data-testid=designer-save]")
    page.wait_for_url(f"{live_server.url}/numbers/flow/")
    first = CallFlowVersion.objects.get(company=personas.company_a)
    sales = first.document["destinations"]["ring-group-1"]
    assert sales["name"] == "Reception" and sales["overflow"] == "voicemail-1"
    names = dict(SubscriptionFactory._meta.model.objects.unscoped().values_list("pk", "user_name"))
    assert [names[m] for m in sales["members"]] == ["Bente Berg", "Anders Andersen"]
    first_flow = {"keys": keys.keys, "actions": keys.actions}

    # Test a call: the path is marked on the diagram.
    keys.activate("[data-testid=test-call]")
    expect(page.get_by_test_id("call-path")).to_be_visible()
    assert page.locator(".flow-node__badge").count() >= 3
    axe(page, "flow page with a test call", found)

    # A second version (the name changed), then version 1 scheduled for tomorrow and rolled back to.
    page.goto(f"{live_server.url}/numbers/flow/design/")
    page.fill("#id_step-ring-group-1-name", "Reception 2")
    page.click("[data-testid=designer-save]")
    page.wait_for_url(f"{live_server.url}/numbers/flow/")
    page.goto(f"{live_server.url}/numbers/flow/versions/{first.pk}/")
    axe(page, "version page", found)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.fill("#id_date", tomorrow.isoformat())
    page.fill("#id_time", "06:00")
    keys.activate("[data-testid=schedule]")
    expect(page.get_by_test_id("scheduled-change")).to_have_count(1)
    assert ScheduledFlowChange.objects.get(company=personas.company_a).status == "pending"
    axe(page, "versions with a scheduled change", found)
    page.goto(f"{live_server.url}/numbers/flow/versions/{first.pk}/")
    keys.activate("[data-testid=rollback]")
    expect(page.get_by_test_id("confirm-rollback")).to_be_visible()
    axe(page, "rollback confirmation", found)
    keys.activate("[data-testid=confirm-rollback]")
    page.wait_for_url(f"{live_server.url}/numbers/flow/")
    latest = CallFlowVersion.objects.filter(company=personas.company_a).order_by("-version").first()
    assert latest.version == 3 and latest.document == first.document
    page.goto(f"{live_server.url}/numbers/flow/hours/")
    axe(page, "opening hours", found)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/numbers/flow/design/")
    axe(page, "designer at 390 px", found)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert found == {}, found
    print(f"\nfirst useful flow by keyboard ({language}): {first_flow}")
