"""Server time of the usage dashboard's pages at 50,000 subscriptions and 5,000,000 usage records a month.

Runs against a throw-away test database (never the dev database). The pages read only the totals tables,
so the benchmark writes those at the size 5,000,000 records a month make (every subscription with use
of every kind in each of the 7 months shown: 350,000 monthly rows; 200 cost centres x 7 months of
cost-centre rows), then renders each page through Django's test client in-process and prints the
median and p95 server time and the query count. It then imports one hourly usage file (--hourly records,
5,000,000 / 720 hours ~ 7,000) through the real import and prints how long the totals' upserts took.

    .venv/bin/python usage/benchmarks/dashboard.py [--subscriptions 50000] [--runs 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ss_usage17 .venv/bin/python usage/benchmarks/dashboard.py
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfservice.settings")

CENTRES = 200


def _bulk(model: Any, rows: list[Any], batch: int = 5000) -> None:
    model.objects.bulk_create(rows, batch_size=batch)


def _figures(rng: random.Random, scale: int) -> dict:
    from usage.models import BUCKET_KEYS

    values: dict = {}
    total_charge = total_records = 0
    for key in BUCKET_KEYS:
        count = rng.randint(1, 30) * scale
        charge = rng.randint(0, 5000) * scale
        values[f"{key}_quantity"] = Decimal(rng.randint(1, 3000) * scale)
        values[f"{key}_charge"] = charge
        values[f"{key}_count"] = count
        total_charge += charge
        total_records += count
    values["charge"] = total_charge
    values["records"] = total_records
    return values


def seed(company: Any, subscriptions: int, rng: random.Random) -> list[int]:
    from invoicing.tests.factories import ProductFactory
    from subscriptions.models import Subscription
    from usage.dashboard import add_months
    from usage.models import CostCentreMonthlyUsage, MonthlyUsage

    product = ProductFactory.create()
    _bulk(
        Subscription,
        [
            Subscription(
                company=company,
                user_name=f"Bruger {i:05d}",
                phone_number=f"+4520{i + 900000:06d}" if i < 100000 else f"+4540{i:06d}",
                product=product,
                status=Subscription.Status.ACTIVE,
                start_date=dt.date(2024, 1, 1),
                cost_centre=f"CC{i % CENTRES:03d}",
            )
            for i in range(subscriptions)
        ],
    )
    ids = list(Subscription.objects.filter(company=company).values_list("pk", flat=True))
    this = dt.date.today().replace(day=1)
    for offset in range(-6, 1):
        month = add_months(this, offset)
        _bulk(
            MonthlyUsage,
            [MonthlyUsage(company=company, subscription_id=pk, month=month, **_figures(rng, 1)) for pk in ids],
        )
        _bulk(
            CostCentreMonthlyUsage,
            [
                CostCentreMonthlyUsage(company=company, cost_centre=f"CC{c:03d}", month=month, **_figures(rng, 250))
                for c in range(CENTRES)
            ],
        )
    return ids


def measure(client: Any, url: str, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], len(captured)


def hourly_import(ids: list[int], records: int, rng: random.Random) -> tuple[float, float]:
    """(import seconds, totals seconds) for one file of ``records`` usage records."""
    from audit.actor import Actor
    from invoicing.actions import import_usage
    from invoicing.events import UsageImported
    from registry.events import subscribe, unsubscribe
    from subscriptions.models import Subscription
    from usage import aggregates

    phones = dict(Subscription.objects.unscoped().filter(pk__in=ids).values_list("pk", "phone_number"))
    now = dt.datetime.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    lines = ["record_id,phone_number,time,type,quantity,charge_ore,zone"]
    types = ["voice", "sms", "data", "roaming", "premium"]
    for i in range(records):
        usage_type = rng.choice(types)
        zone = rng.choice(["eu", "world"]) if usage_type == "roaming" else ""
        when = now + dt.timedelta(seconds=rng.randrange(3600))
        lines.append(
            f"h{rng.random():.12f}-{i},{phones[rng.choice(ids)]},{when:%Y-%m-%d %H:%M:%S},{usage_type},{rng.randint(1, 60)},{rng.randint(0, 900)},{zone}"
        )
    spent = [0.0]

    def timed(event: UsageImported) -> dict:
        start = time.perf_counter()
        facts = aggregates.on_usage_imported(event)
        spent[0] += time.perf_counter() - start
        return facts

    unsubscribe(UsageImported, aggregates.on_usage_imported)
    subscribe(UsageImported, timed)
    try:
        start = time.perf_counter()
        import_usage(text="\n".join(lines) + "\n", filename="hourly.csv", by=Actor.system("benchmark"))
        total = time.perf_counter() - start
    finally:
        unsubscribe(UsageImported, timed)
        subscribe(UsageImported, aggregates.on_usage_imported)
    return total, spent[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--hourly", type=int, default=7_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from accounts.tests.factories import UserFactory
        from companies.tests.factories import CompanyFactory, MembershipFactory

        rng = random.Random(17)
        company = CompanyFactory.create()
        user = MembershipFactory.create(company=company, user=UserFactory.create()).user
        started = time.perf_counter()
        ids = seed(company, args.subscriptions, rng)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"# {connection.vendor}: {args.subscriptions} subscriptions, {CENTRES} cost centres, 7 months of totals "
            f"(seeded in {time.perf_counter() - started:.0f} s)"
        )
        client = Client()
        client.force_login(user)
        pages = [
            ("dashboard (company)", reverse("usage:dashboard")),
            ("dashboard (one cost centre)", reverse("usage:dashboard") + "?cost_centre=CC007"),
            ("top users, by cost", reverse("usage:users")),
            ("top users, by data", reverse("usage:users") + "?sort=-data"),
            ("top users, by voice, page 500", reverse("usage:users") + "?sort=-voice&page=500"),
            ("top users, one cost centre", reverse("usage:users") + "?cost_centre=CC007"),
            ("who roams", reverse("usage:roaming")),
            ("one line", reverse("usage:line", args=[ids[0]])),
        ]
        print(f"{'page':<32} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for name, url in pages:
            median, p95, queries = measure(client, url, args.runs)
            print(f"{name:<32} {median:>10.1f} {p95:>8.1f} {queries:>8}")
        total, totals = hourly_import(ids, args.hourly, rng)
        print(
            f"hourly import of {args.hourly} records: {total * 1000:.0f} ms, of which the totals' upserts {totals * 1000:.0f} ms"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
