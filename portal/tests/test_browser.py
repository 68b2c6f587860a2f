"""The shell in a real browser: sign in, switch company, switch to Danish."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_signs_in_switches_company_and_language(page: Page, live_server, personas, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", personas.admin_ab.email)
    page.fill("input[name=password]", password)
    page.click("[data-testid=login-submit]")
    expect(page.get_by_test_id("company-name")).to_have_text("Alfa ApS")

    page.get_by_test_id("company-switcher").click()
    page.get_by_role("button", name="Beta A/S").click()
    expect(page.get_by_test_id("company-name")).to_have_text("Beta A/S")

    page.get_by_test_id("settings-menu").click()
    page.get_by_test_id("language-da").click()
    menu = page.locator("#topmenu")
    expect(menu).to_contain_text("Oversigt")
    expect(menu).to_contain_text("Abonnementer")
    expect(menu).to_contain_text("Faktura")
    # The choice sticks: a fresh page load keeps Danish and the company.
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_test_id("company-name")).to_have_text("Beta A/S")


def test_a_wrong_password_shows_a_message(page: Page, live_server, personas):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", personas.admin_a.email)
    page.fill("input[name=password]", "not-the-password")
    page.click("[data-testid=login-submit]")
    expect(page.get_by_role("alert")).to_contain_text("not correct")
