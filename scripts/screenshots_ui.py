"""Screenshots of the overview, the subscriptions list with its bulk-update bar, and the guide, in English and
Danish at 1366x900 and 390x844, for docs/screenshots/ (issue 12). Pages that need clicks first (ticked rows,
a guide step) are reached as an admin would.

    bin/demo   # in another terminal (DEMO_PORT=8031 bin/demo-servers for another port)
    .venv/bin/python scripts/screenshots_ui.py --base http://127.0.0.1:8000
"""

import argparse
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from screenshots import ARGS, sign_in

WIDTHS = {1366: 900, 390: 844}


def overview(page: Page, base: str) -> None:
    page.goto(f"{base}/")


def subscriptions(page: Page, base: str) -> None:
    page.goto(f"{base}/subscriptions/")


def _tick_two(page: Page, base: str) -> None:
    page.goto(f"{base}/subscriptions/")
    boxes = page.locator("input[name=ids]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator("[data-testid=bulk-panel]").wait_for(state="visible")


def bulk_bar(page: Page, base: str) -> None:
    _tick_two(page, base)
    page.select_option("[data-testid=bulk-action]", "change_product")


def bulk_error(page: Page, base: str) -> None:
    _tick_two(page, base)
    page.click("[data-testid=bulk-preview]")  # no date and no reason: the list comes back with the errors
    page.wait_for_load_state()
    page.locator("[data-testid=bulk-panel]").wait_for(state="visible")


def _guide_to_type(page: Page, base: str) -> None:
    page.goto(f"{base}/subscriptions/new/?restart=1")
    page.fill("#id_user_name", "Åse Ørsted")
    page.click("[data-testid=next]")


def guide_type(page: Page, base: str) -> None:
    _guide_to_type(page, base)


def guide_summary(page: Page, base: str) -> None:
    _guide_to_type(page, base)
    page.locator("input[name=product]").nth(1).check()
    page.locator("input[name=add_ons]").first.check()
    page.click("[data-testid=next]")
    if page.locator("[data-testid=step-product]").count():  # the add-on does not fit the type: none then
        page.locator("input[name=add_ons]").first.uncheck()
        page.click("[data-testid=next]")
    page.check("input[name=choice][value=pool]")
    page.select_option("#id_pool_number", index=1)
    page.click("[data-testid=next]")
    if page.locator("[data-testid=step-sim]").count():
        page.check("input[name=choice][value=esim]")
        page.click("[data-testid=next]")
    page.wait_for_selector("[data-testid=summary]")


# name, user, how to get there, whole page (False: the screen as the admin sees it, with the bar kept in view)
SHOTS: list[tuple[str, str, Callable[[Page, str], None], bool]] = [
    ("root", "anne@nordlys.dk", overview, True),
    ("root-limited", "erik@nordlys.dk", overview, True),
    ("subscriptions", "anne@nordlys.dk", subscriptions, True),
    ("subscriptions-bulk", "anne@nordlys.dk", bulk_bar, False),
    ("subscriptions-bulk-error", "anne@nordlys.dk", bulk_error, False),
    ("guide-type", "anne@nordlys.dk", guide_type, True),
    ("guide-summary", "anne@nordlys.dk", guide_summary, True),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--password", default="demo-password-2026")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--only", nargs="*", help="names of the shots to take (default: all)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for lang in ("en", "da"):
            for width, height in WIDTHS.items():
                pages: dict[str, Page] = {}
                for name, user, reach, full_page in SHOTS:
                    if args.only and name not in args.only:
                        continue
                    if user not in pages:
                        context = browser.new_context(
                            viewport={"width": width, "height": height}, locale={"en": "en-GB", "da": "da-DK"}[lang]
                        )
                        pages[user] = context.new_page()
                        sign_in(pages[user], args.base, user, args.password, lang)
                    page = pages[user]
                    reach(page, args.base)
                    target = out / f"w{width}-{name}-{lang}.png"
                    page.screenshot(path=str(target), full_page=full_page)
                    print(target)
                for page in pages.values():
                    page.context.close()
        browser.close()


if __name__ == "__main__":
    main()
