"""Playwright helpers for signing staff in: they always have a second factor."""

from playwright.sync_api import Page

from accounts.models import User
from accounts.tests.factories import totp_code


def complete_two_factor(page: Page, user: User) -> None:
    """After the password step: enter the current code of the user's authenticator (from the factory)."""
    page.wait_for_url(lambda url: "/accounts/2fa/authenticate/" in url)
    page.fill("input[name=code]", totp_code(user))
    page.locator("form[action$='/accounts/2fa/authenticate/'] button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
