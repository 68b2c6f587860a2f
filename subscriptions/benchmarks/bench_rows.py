"""The list's 50 rows, three ways, CPU per page (docs/benchmarks.md, issue 14, "the list body"):

    .venv/bin/python subscriptions/benchmarks/bench_rows.py [--rounds 15]

(a) ``subscription_rows``: assembled in Python in one pass (what the list uses);
(a') the same rows with ``format_html`` per cell (Django's documented way to build HTML in Python);
(b) per-row fragments kept in this process's fragment cache (``template_fragments``, LocMemCache), keyed by
    (id, updated_at, language, catalogue, can change, ticked), looked up with one ``get_many`` per page.

In memory (no database): 50 unsaved subscriptions labelled as ``selectors.label_rows`` does. Interleaved,
median of rounds. Jinja2 is not measured: it is not installed (not a dependency), and adding it for the
rows alone was not worth a dependency when (a) already builds them without a template.
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfservice.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

import django

django.setup()

from django.core.cache import caches  # noqa: E402
from django.utils.html import format_html, format_html_join  # noqa: E402
from django.utils.safestring import mark_safe  # noqa: E402
from django.utils.translation import get_language  # noqa: E402

from common.formats import phone  # noqa: E402
from subscriptions.models import Subscription  # noqa: E402
from subscriptions.templatetags.subscriptions import status_badge, subscription_rows  # noqa: E402


def rows() -> list[Subscription]:
    out = []
    for i in range(50):
        sub = Subscription(
            pk=1000 + i,
            user_name=f"Søren Ørsted {i} <&>",
            email=f"soren{i}@firma.dk",
            phone_number=f"+45201234{i:02d}",
            status="active",
            cost_centre="IT & drift",
            product_id=1,
        )
        sub.updated_at = datetime.datetime(2026, 12, 4, 12, 0, i)
        sub.type_label, sub.status_label, sub.url = "Mobil Fri", "Aktiv", f"/subscriptions/{sub.pk}/"
        out.append(sub)
    return out


def with_format_html(page: list[Subscription], can_change: bool, label: str, ticked: frozenset[int]) -> str:
    def row(sub: Subscription) -> str:
        check = (
            format_html(
                '<td class="text-center"><input type="checkbox" class="form-check-input" name="ids" value="{}" '
                'aria-label="{} {}"{}></td>',
                sub.pk,
                label,
                sub.user_name,
                mark_safe(" checked") if sub.pk in ticked else "",
            )
            if can_change
            else ""
        )
        return format_html(
            '<tr data-testid="subscription-row">{}<td><a href="{}" class="fw-medium">{}</a></td>'
            '<td class="text-nowrap">{}</td><td>{}</td><td>{}</td><td>{}</td>'
            '<td><span class="badge status-badge {}">{}</span></td></tr>',
            check,
            sub.url,
            sub.user_name,
            phone(sub.phone_number),
            sub.email,
            sub.type_label,
            sub.cost_centre,
            status_badge(sub.status),
            sub.status_label,
        )

    return format_html_join("\n", "{}", ((row(sub),) for sub in page))


def per_row_cached(page: list[Subscription], can_change: bool, label: str, ticked: frozenset[int]) -> str:
    cache = caches["template_fragments"]
    language, catalogue = get_language(), "v1"
    keys = {
        sub.pk: f"row:{sub.pk}:{sub.updated_at.isoformat()}:{language}:{catalogue}:{int(can_change)}:{int(sub.pk in ticked)}"
        for sub in page
    }
    kept = cache.get_many(list(keys.values()))
    out, missing = [], {}
    for sub in page:
        html = kept.get(keys[sub.pk])
        if html is None:
            html = missing[keys[sub.pk]] = subscription_rows([sub], can_change, label, ticked)
        out.append(html)
    if missing:
        cache.set_many(missing, None)
    return "\n".join(out)


def main() -> None:
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 15
    page, label = rows(), "Vælg"
    ticked: frozenset[int] = frozenset()
    reference = subscription_rows(page, True, label, ticked)
    assert with_format_html(page, True, label, ticked) == reference
    assert per_row_cached(page, True, label, ticked) == reference  # fills the cache
    assert per_row_cached(page, True, label, ticked) == reference  # from the cache
    ways = {
        "(a) one pass in Python (subscription_rows)": lambda: subscription_rows(page, True, label, ticked),
        "(a') format_html per row": lambda: with_format_html(page, True, label, ticked),
        "(b) per-row fragments, cache hit": lambda: per_row_cached(page, True, label, ticked),
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(rounds):
        for name, way in ways.items():
            started = time.process_time()
            for _ in range(200):
                way()
            times[name].append((time.process_time() - started) / 200 * 1000)
    print("| rows of one page (50) | CPU ms per page |\n|---|---:|")
    for name, values in times.items():
        print(f"| {name} | {statistics.median(values):.3f} |")


if __name__ == "__main__":
    main()
