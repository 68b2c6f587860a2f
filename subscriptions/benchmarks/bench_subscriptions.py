"""Benchmarks for the Subscriptions area (figures go into docs/benchmarks-subscriptions.md).

    .venv/bin/python subscriptions/benchmarks/bench_subscriptions.py            # SQLite, /tmp/bench_subs.sqlite3
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_subs \
        .venv/bin/python subscriptions/benchmarks/bench_subscriptions.py

Creates its own companies in the database named by DATABASE_URL (never the dev database by default),
then measures the list page (server time through Django's request handler, 25 runs each) at 1,000,
10,000 and 50,000 subscriptions, the CSV export of 100,000 rows, and a bulk cancel of 10,000 (applied
directly, and as the background job the button queues for a set that large).
"""

import datetime
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/bench_subs.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfservice.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from audit.actor import Actor  # noqa: E402
from companies.models import Company, Membership  # noqa: E402
from registry.areas import registry  # noqa: E402
from registry.demo import cvr_with_check  # noqa: E402
from subscriptions import actions  # noqa: E402
from subscriptions.catalogue import ensure_catalogue  # noqa: E402
from subscriptions.demo import build  # noqa: E402
from subscriptions.exports import csv_rows  # noqa: E402
from subscriptions.models import (  # noqa: E402
    BulkJob,
    Product,
    Subscription,
)

RUNS = 25


def company(size: int, label: str, index: int, products: dict[str, Product], *, all_active: bool = False) -> Company:
    obj, _ = Company.objects.get_or_create(
        cvr=cvr_with_check(f"{5100000 + index * 97:07d}"),
        defaults={"name": f"Bench {label}", "street": "Benchvej 1", "postcode": "8000", "city": "Aarhus C"},
    )
    have = Subscription.objects.filter(company=obj).count()
    if have < size:
        t = time.perf_counter()
        rows = build(obj, size, 30 + index, random.Random(index), products, "bench.dk")[have:]
        if all_active:
            for r in rows:
                r.status, r.end_date, r.cancel_reason = "active", None, ""
        Subscription.objects.bulk_create(rows, batch_size=2000)
        print(f"  seeded {label}: {size - have} rows in {time.perf_counter() - t:.1f} s", flush=True)
    return obj


def client_for(obj: Company) -> Client:
    user, _ = User.objects.get_or_create(email=f"bench-{obj.pk}@bench.dk")
    Membership.objects.get_or_create(user=user, company=obj, defaults={"areas": registry.keys()})
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    c.get("/subscriptions/")
    return c


def measure(c: Client, params: dict) -> tuple[float, float, float, int]:
    """Median and p95 wall time, median CPU time of this process (ms), and the query count."""
    times, cpu = [], []
    for _ in range(RUNS):
        t, p = time.perf_counter(), time.process_time()
        response = c.get("/subscriptions/", params)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - p) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as ctx:
        c.get("/subscriptions/", params)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], statistics.median(cpu), len(ctx)


CASES: list[tuple[str, dict[str, Any]]] = [
    ("list (name A-Å)", {}),
    ("list page 40", {"page": 40}),
    ("search name 'sør'", {"q": "sør"}),
    ("search phone '+4521000123'", {"q": "+4521000123"}),
    ("search phone '21 00 01 23'", {"q": "21 00 01 23"}),
    ("search ICCID", {"q": "8945013"}),
    ("sort -name", {"sort": "-name"}),
    ("sort type", {"sort": "type"}),
    ("sort -type", {"sort": "-type"}),
    ("sort email", {"sort": "email"}),
    ("sort -email", {"sort": "-email"}),
    ("sort phone", {"sort": "phone"}),
    ("sort -phone", {"sort": "-phone"}),
    ("filter status+cost centre", {"status": "active", "cost_centre": "Salg"}),
]


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["list", "csv", "bulk"], help="run one part only")
    parser.add_argument("--bulk-runs", type=int, default=1, help="repeat the bulk cancel (median printed)")
    args = parser.parse_args()
    print(f"Database: {connection.vendor}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    call_command("migrate", verbosity=0)
    products = ensure_catalogue()
    if args.only == "bulk":
        bench_bulk(products, args.bulk_runs)
        return
    sizes = [(1_000, "1k"), (10_000, "10k"), (50_000, "50k")]
    companies = {label: company(size, label, i, products) for i, (size, label) in enumerate(sizes)}
    with connection.cursor() as cursor:
        # What autovacuum does in production: statistics, and on PostgreSQL the visibility map
        # that lets counts run as index-only scans (without it every count visits the table).
        cursor.execute("VACUUM ANALYZE subscriptions_subscription" if connection.vendor == "postgresql" else "ANALYZE")
    print("\nWall median / p95 (CPU median of the server process), ms")
    print("\n| case | " + " | ".join(f"{label}" for _s, label in sizes) + " | queries |")
    print("|---|" + "---|" * (len(sizes) + 1))
    clients = {label: client_for(obj) for label, obj in companies.items()}
    for name, params in CASES:
        cells, queries = [], set()
        for _size, label in sizes:
            median, p95, cpu, n = measure(clients[label], params)
            cells.append(f"{median:.1f} / {p95:.1f} ({cpu:.1f})")
            queries.add(n)
        print(f"| {name} | " + " | ".join(cells) + f" | {'/'.join(map(str, sorted(queries)))} |", flush=True)

    # CSV: 100,000 rows, rows per second and peak memory (at 10,000 and 100,000 rows).
    big = company(100_000, "100k", 9, products)
    print()
    for limit in (10_000, 100_000):
        qs = Subscription.objects.filter(company=big)
        ids = list(qs.order_by("sort_name", "id").values_list("pk", flat=True)[limit - 1 : limit])
        sub_qs = (
            qs.filter(sort_name__lte=Subscription.objects.unscoped().get(pk=ids[0]).sort_name)
            if limit < 100_000
            else qs
        )
        reset_queries()
        tracemalloc.start()
        t, p = time.perf_counter(), time.process_time()
        size = rows = 0
        for chunk in csv_rows(sub_qs):
            size += len(chunk.encode("utf-8"))
            rows += chunk.count("\n")
        elapsed, cpu = time.perf_counter() - t, time.process_time() - p
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        # tracemalloc slows Python down; time a second pass without it.
        t = time.perf_counter()
        for _chunk in csv_rows(sub_qs):
            pass
        plain = time.perf_counter() - t
        print(
            f"CSV {rows - 1:>7,} rows: {plain:.2f} s wall = {(rows - 1) / plain:,.0f} rows/s "
            f"(with tracemalloc {elapsed:.2f} s, CPU {cpu:.2f} s), {size / 1e6:.1f} MB, "
            f"peak Python memory {peak / 1e6:.1f} MB",
            flush=True,
        )

    bench_bulk(products, args.bulk_runs)


def bench_bulk(products: dict[str, Product], runs: int) -> None:
    """Bulk cancel of 10,000 (preview excluded, apply measured: conditional update + 10,000 audit events)."""
    victims = company(10_000, "bulk10k", 11, products, all_active=True)
    qs = Subscription.objects.filter(company=victims)
    day = timezone.localdate() + datetime.timedelta(days=400)
    walls = []
    for _ in range(runs):
        qs.update(status="active", end_date=None, cancel_reason="")
        preview = actions.preview_bulk(qs, action="cancel", on=day)
        t, p = time.perf_counter(), time.process_time()
        changed = actions.apply_bulk(
            qs,
            company=victims,
            action="cancel",
            on=day,
            reason="Benchmark",
            token=preview.token,
            by=Actor.system("bench"),
        )
        wall, cpu = time.perf_counter() - t, time.process_time() - p
        walls.append(wall)
        print(
            f"Bulk cancel: {changed:,} subscriptions in {wall:.2f} s wall ({cpu:.2f} s CPU of this process)", flush=True
        )
    qs.update(status="active", end_date=None, cancel_reason="")
    print(f"Bulk cancel median over {runs}: {statistics.median(walls):.2f} s", flush=True)

    # Above SUBSCRIPTIONS_BULK_SYNC_LIMIT the button queues a BulkJob; the task checks every row again
    # under lock and applies them. Measured: the web request's part, and the task's run.
    requests, tasks = [], []
    for _ in range(runs):
        qs.update(status="active", end_date=None, cancel_reason="")
        preview = actions.preview_bulk(qs, action="cancel", on=day)
        t = time.perf_counter()
        job = actions.submit_bulk(
            qs,
            company=victims,
            action="cancel",
            on=day,
            reason="Benchmark",
            token=preview.token,
            by=Actor.system("bench"),
        )
        requests.append(time.perf_counter() - t)
        assert isinstance(job, BulkJob)
        t = time.perf_counter()
        done = actions.run_bulk_job(job.pk)
        tasks.append(time.perf_counter() - t)
        assert done is not None and done.status == BulkJob.Status.DONE, done
        print(
            f"Bulk job: {done.changed:,} subscriptions; request (check + queue) {requests[-1]:.2f} s, "
            f"task (lock, check again, apply) {tasks[-1]:.2f} s",
            flush=True,
        )
    qs.update(status="active", end_date=None, cancel_reason="")
    print(
        f"Bulk job median over {runs}: request {statistics.median(requests):.2f} s, "
        f"task {statistics.median(tasks):.2f} s",
        flush=True,
    )


if __name__ == "__main__":
    main()
