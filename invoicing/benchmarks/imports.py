"""Benchmark: the usage import's peak memory and speed per file size.

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE bench_imports"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_imports .venv/bin/python invoicing/benchmarks/imports.py

Options: --rows 10000,100000,1000000 (usage records per file), --mb 200 (also a file of about
that many megabytes), --subscriptions 10000. Without DATABASE_URL it uses a throwaway SQLite file.
Each size runs in a fresh process, so "peak" is that import's own high-water mark of resident
memory (ru_maxrss), including Python and Django (about 60-80 MB before any row is read).
The script TRUNCATEs (PostgreSQL) the usage, subscription and company tables of the database it
is given: point it at a database of its own.
"""

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.gettempdir()}/bench_imports.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfservice.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from audit.actor import Actor  # noqa: E402
from companies.models import Company  # noqa: E402
from invoicing.imports import USAGE_COLUMNS, Source, run_usage_import  # noqa: E402
from invoicing.models import UsageImport  # noqa: E402
from registry.demo import cvr_with_check  # noqa: E402
from subscriptions.models import Product, Subscription  # noqa: E402

TYPES = ["voice", "sms", "data", "roaming", "premium"]
ROW_BYTES = 60  # about, for --mb


def phone(i: int) -> str:
    return f"+4520{100000 + i:06d}"


def seed(subscriptions: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE invoicing_usagerecord, invoicing_usageimport, subscriptions_subscription_add_ons, "
                "subscriptions_subscription, audit_auditevent, companies_membership, companies_company "
                "CASCADE"
            )
    else:
        UsageImport.objects.all().delete()
        Subscription.objects.unscoped().delete()
        Company.objects.all().delete()
    product, _ = Product.objects.get_or_create(
        code="bench-30gb",
        defaults={"name": "Mobile 30 GB", "name_da": "Mobil 30 GB", "kind": "mobile", "monthly_price": 14900},
    )
    companies = Company.objects.bulk_create(
        [
            Company(
                name=f"Bench {i} ApS",
                cvr=cvr_with_check(f"{3000000 + i * 17:07d}"),
                street="Vej 1",
                postcode="8000",
                city="Aarhus C",
            )
            for i in range(max(1, subscriptions // 100))
        ]
    )
    Subscription.objects.bulk_create(
        [
            Subscription(
                company=companies[i // 100],
                user_name=f"Bruger {i:06d}",
                phone_number=phone(i),
                product=product,
                status="active",
                start_date=dt.date(2025, 1, 1),
            )
            for i in range(subscriptions)
        ],
        batch_size=5000,
    )


def write_file(path: Path, rows: int, subscriptions: int, tag: str) -> None:
    rng = random.Random(rows)
    start = dt.datetime(2026, 11, 1)
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(USAGE_COLUMNS) + "\n")
        for i in range(rows):
            time_ = start + dt.timedelta(seconds=rng.randrange(29 * 86400))
            out.write(
                f"{tag}-{i:09d},{phone(rng.randrange(subscriptions))},{time_:%Y-%m-%d %H:%M:%S},"
                f"{TYPES[i % 5]},{rng.randint(1, 500)},{rng.choice((0, 0, 0, 150, 2500))}\n"
            )


def one(rows: int, subscriptions: int) -> dict:
    """Runs in its own process: writes the file, imports it, reports time and peak memory."""
    from django.conf import settings

    settings.DEBUG = False  # as in production: DEBUG keeps the last 9,000 queries' SQL in memory
    directory = Path(tempfile.mkdtemp())
    path = directory / f"usage-{rows}.csv"
    write_file(path, rows, subscriptions, tag=f"r{rows}")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    batch = run_usage_import(Source.of(filename=path.name, path=path), by=Actor.system("benchmark"))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = path.stat().st_size
    path.unlink()
    return {
        "rows": batch.rows,
        "mb": size / 1e6,
        "seconds": seconds,
        "rows_per_s": batch.rows / seconds,
        "peak_mb": peak / 1024,
        "before_mb": before / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="10000,100000,1000000")
    parser.add_argument("--mb", type=int, default=0, help="also a file of about this many MB")
    parser.add_argument("--subscriptions", type=int, default=10000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.subscriptions)))
        return
    call_command("migrate", verbosity=0)
    seed(args.subscriptions)
    sizes = [int(s) for s in args.rows.split(",") if s]
    if args.mb:
        sizes.append(args.mb * 1_000_000 // ROW_BYTES)
    print(f"database: {connection.vendor}; {args.subscriptions} subscriptions; one process per file")
    print(f"{'rows':>10} {'file MB':>8} {'seconds':>8} {'rows/s':>8} {'peak MB':>8}")
    for rows in sizes:
        result = subprocess.run(
            [sys.executable, __file__, "--one", str(rows), "--subscriptions", str(args.subscriptions)],
            capture_output=True,
            text=True,
            env=os.environ,
        )
        if result.returncode:
            print(result.stderr[-2000:])
            sys.exit(result.returncode)
        r = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"{r['rows']:>10} {r['mb']:>8.1f} {r['seconds']:>8.1f} {r['rows_per_s']:>8.0f} {r['peak_mb']:>8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
