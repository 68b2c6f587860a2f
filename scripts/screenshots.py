"""Screenshots of portal pages in headless Chromium, to look at before resolving a UI issue.

    .venv/bin/python scripts/screenshots.py --user anne@nordlys.dk --lang da / /subscriptions/
Needs a running portal (bin/demo) and writes PNGs to screenshots/.
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", help="sign in as this demo user first")
    parser.add_argument("--password", default="demo-password-2026")
    parser.add_argument("--lang", choices=["en", "da"], help="switch language with the cogwheel")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--out", default="screenshots")
    parser.add_argument("--prefix", default="")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height},
                                locale="da-DK" if args.lang == "da" else "en-GB")
        if args.user:
            page.goto(f"{args.base}/accounts/login/")
            page.fill("input[name=login]", args.user)
            page.fill("input[name=password]", args.password)
            page.click("[data-testid=login-submit]")
            page.wait_for_load_state()
            if args.lang:
                toggler = page.locator(".navbar-toggler")
                if toggler.is_visible():  # narrow screens: the menu is collapsed
                    toggler.click()
                page.click("[data-testid=settings-menu]")
                page.click(f"[data-testid=language-{args.lang}]")
                page.wait_for_load_state()
        for path in args.paths:
            page.goto(f"{args.base}{path}")
            name = args.prefix + (path.strip("/").replace("/", "_") or "root")
            target = out / f"{name}{'-' + args.lang if args.lang else ''}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)
        browser.close()


if __name__ == "__main__":
    main()
