"""Benchmark: the shell (menu, company switcher) costs the same for an admin of 2 or 200 companies.

    .venv/bin/python scripts/bench_shell.py [--runs 50]
Builds a throwaway SQLite database (or uses DATABASE_URL), then prints the server time
(median and p95) and the query count of the overview and the activity log.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfservice.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from companies.models import Company, Membership  # noqa: E402
from registry.areas import registry  # noqa: E402
from registry.demo import cvr_with_check  # noqa: E402


def measure(client: Client, path: str, runs: int) -> tuple[float, float, int]:
    client.get(path)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; runs per figure: {args.runs}")
    print(f"{'companies':>10} {'page':<10} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for size in (2, 200):
        user = User.objects.create_user(f"bench{size}@example.dk", "bench-password-123", language="en")
        for i in range(size):
            company = Company.objects.create(
                name=f"Bench {size}-{i:03d} ApS", cvr=cvr_with_check(f"{3000000 + size * 1000 + i * 7:07d}")
            )
            Membership.objects.create(user=user, company=company, areas=registry.keys())
        client = Client()
        client.force_login(user)
        for path, label in (("/", "overview"), ("/audit/", "activity")):
            reset_queries()
            median, p95, queries = measure(client, path, args.runs)
            print(f"{size:>10} {label:<10} {median:>10.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
