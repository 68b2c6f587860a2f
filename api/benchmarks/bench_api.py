"""Benchmark of the customer API's product list (figures go into docs/api.md).

    .venv/bin/python api/benchmarks/bench_api.py            # SQLite, /tmp/bench_api.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ss_api .venv/bin/python api/benchmarks/bench_api.py

Creates its own companies (1,000 and 50,000 subscriptions) in the database named by DATABASE_URL
(never the dev database by default) and measures GET /tmf-api/productInventory/v4/product with
limit=100 through Django's request handler: median and p95 server time of 25 runs, and the queries.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/bench_api.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfservice.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from api.models import APIClient  # noqa: E402
from api.tests.factories import auth, make_client  # noqa: E402
from api.tmf import encode_cursor  # noqa: E402
from companies.models import Company  # noqa: E402
from registry.demo import cvr_with_check  # noqa: E402
from subscriptions.catalogue import ensure_catalogue  # noqa: E402
from subscriptions.demo import build  # noqa: E402
from subscriptions.models import Subscription  # noqa: E402

RUNS = 25
PATH = "/tmf-api/productInventory/v4/product"


def company(size: int, index: int, products: Any) -> Company:
    obj, _ = Company.objects.get_or_create(
        cvr=cvr_with_check(f"{5300000 + index * 97:07d}"),
        defaults={"name": f"API bench {size}", "street": "Benchvej 1", "postcode": "8000", "city": "Aarhus C"},
    )
    have = Subscription.objects.filter(company=obj).count()
    if have < size:
        t = time.perf_counter()
        rows = build(obj, size, 30 + index, random.Random(index), products, "bench.dk")[have:]
        Subscription.objects.bulk_create(rows, batch_size=2000)
        print(f"  seeded {size - have} rows in {time.perf_counter() - t:.1f} s", flush=True)
        if connection.vendor == "postgresql":
            # Fresh rows have no statistics yet: the planner would guess (as autovacuum soon fixes).
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {Subscription._meta.db_table}")
    return obj


def measure(token: str, params: dict[str, Any]) -> tuple[float, float, float, int]:
    """Median and p95 wall time, median CPU time of this process (ms: less bent by a busy machine), queries."""
    client = Client()
    times, cpu = [], []
    for _ in range(RUNS):
        t, p = time.perf_counter(), time.process_time()
        response = client.get(PATH, params, **auth(token))
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - p) * 1000)
        assert response.status_code == 200, response.content[:200]
    with CaptureQueriesContext(connection) as queries:
        client.get(PATH, params, **auth(token))
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], statistics.median(cpu), len(queries)


def cursor_after(obj: Company, position: int) -> str | None:
    """The cursor a client holds after reading ``position`` rows by name (as X-Next-Cursor gives it)."""
    keys = Subscription.objects.filter(company=obj).order_by("sort_name", "id").values_list("sort_name", "id")
    row = keys[position - 1 : position].first()
    return encode_cursor("name", row) if row is not None else None


def export(token: str) -> tuple[int, float, float]:
    """Rows, wall seconds and CPU seconds (this process) for the streamed NDJSON export of the whole company."""
    t, p = time.perf_counter(), time.process_time()
    response = Client().get(f"{PATH}/export", **auth(token))
    rows = sum(chunk.count(b"\n") for chunk in response.streaming_content)  # type: ignore[attr-defined]
    return rows, time.perf_counter() - t, time.process_time() - p


CASES: list[tuple[str, dict[str, Any]]] = [
    ("first page of 100 (name)", {"limit": 100}),
    ("page 100 of 100 (offset 9,900)", {"limit": 100, "offset": 9900}),
    ("page 100 of 100 (cursor after row 9,900)", {"limit": 100, "cursor": "AFTER_9900"}),
    ("page 450 of 500 (offset 44,900)", {"limit": 100, "offset": 44900}),
    ("page 450 of 500 (cursor after row 44,900)", {"limit": 100, "cursor": "AFTER_44900"}),
    ("sort -lastUpdate", {"limit": 100, "sort": "-lastUpdate"}),
    ("filter status + cost centre", {"limit": 100, "status": "active", "costCentre": "Salg"}),
    ("fields=name,status", {"limit": 100, "fields": "name,status"}),
]


def main() -> None:
    settings.API_RATE_LIMIT = 10**9
    settings.ALLOWED_HOSTS = ["*"]
    print(f"Database: {connection.vendor}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    call_command("migrate", verbosity=0)
    products = ensure_catalogue()
    results: dict[str, dict[int, tuple[float, float, float, int]]] = {}
    exports: list[tuple[int, float, float]] = []
    for index, size in enumerate((1_000, 50_000)):
        obj = company(size, index, products)
        APIClient.objects.filter(company=obj).delete()
        _client, token = make_client(obj, name="bench")
        Client().get(PATH, **auth(token))  # warm up
        for label, params in CASES:
            if str(params.get("cursor", "")).startswith("AFTER_"):
                cursor = cursor_after(obj, int(str(params["cursor"]).removeprefix("AFTER_")))
                if cursor is None:
                    continue  # the small company has no row 9,900 or 44,900
                params = {**params, "cursor": cursor}
            results.setdefault(label, {})[size] = measure(token, params)
        if size == 50_000:
            exports.extend(export(token) for _ in range(3))
    print(
        "| request | 1,000: median / p95 / CPU ms, queries | 50,000: median / p95 / CPU ms, queries | ratio (median) |"
    )
    print("|---|---|---|---|")
    for label, by_size in results.items():
        large = by_size[50_000]
        if 1_000 not in by_size:
            print(f"| {label} | — | {large[0]:.1f} / {large[1]:.1f} / {large[2]:.1f}, {large[3]} | — |")
            continue
        small = by_size[1_000]
        print(
            f"| {label} | {small[0]:.1f} / {small[1]:.1f} / {small[2]:.1f}, {small[3]} "
            f"| {large[0]:.1f} / {large[1]:.1f} / {large[2]:.1f}, {large[3]} "
            f"| {large[0] / small[0]:.2f}x |"
        )
    for rows, seconds, cpu in exports:
        print(
            f"export: {rows} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s "
            f"(CPU {cpu:.2f} s = {rows / cpu:,.0f} rows/s)"
        )


if __name__ == "__main__":
    main()
