"""Screenshots of portal pages in headless Chromium, to look at before resolving a UI issue.

    .venv/bin/python scripts/screenshots.py --user anne@nordlys.dk --lang da / /subscriptions/
Needs a running portal (bin/demo) and writes PNGs to screenshots/.
"""

import argparse
import base64
import hashlib
import hmac
import struct
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# The demo staff account's authenticator secret (portal/management/commands/seed_demo.py).
DEMO_STAFF_TOTP_SECRET = "NZXXEZDMPFZWIZLNN5SXI33SEZ2G64DQ"


def totp(secret: str) -> str:
    """The current 6-digit code (RFC 6238, 30 s), without needing Django."""
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def sign_in(
    page: Page, base: str, user: str, password: str, lang: str | None, totp_secret: str = DEMO_STAFF_TOTP_SECRET
) -> None:
    """Signs in through the form (and the second factor, for staff), then picks the language with the cogwheel."""
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", user)
    page.fill("input[name=password]", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" in page.url:
        page.fill("input[name=code]", totp(totp_secret))
        page.locator("form[action$='/accounts/2fa/authenticate/'] button[type=submit]").first.click()
        page.wait_for_load_state()
    if lang:
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():  # narrow screens: the menu is collapsed
            toggler.click()
            page.locator("#topmenu.show").wait_for()  # the menu has finished opening
        page.click("[data-testid=settings-menu]")
        page.click(f"[data-testid=language-{lang}]")
        page.wait_for_load_state()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", help="sign in as this demo user first")
    parser.add_argument("--password", default="demo-password-2026")
    parser.add_argument(
        "--totp-secret",
        default=DEMO_STAFF_TOTP_SECRET,
        help="authenticator secret, when the account asks for a second factor (staff)",
    )
    parser.add_argument("--lang", choices=["en", "da"], help="switch language with the cogwheel")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--out", default="screenshots")
    parser.add_argument("--prefix", default="")
    parser.add_argument("--open-details", action="store_true", help="open every <details> before the screenshot")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(
            viewport={"width": args.width, "height": args.height}, locale="da-DK" if args.lang == "da" else "en-GB"
        )
        if args.user:
            sign_in(page, args.base, args.user, args.password, args.lang, args.totp_secret)
        for path in args.paths:
            page.goto(f"{args.base}{path}")
            if args.open_details:
                page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            name = args.prefix + (path.strip("/").replace("/", "_") or "root")
            target = out / f"{name}{'-' + args.lang if args.lang else ''}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)
        browser.close()


if __name__ == "__main__":
    main()
