"""Server time of the overview page with 100 and 5,000 tickets in the company.

Runs against a throw-away test database (never the dev database), renders the
overview through Django's test client in-process and prints median and p95.

    .venv/bin/python tickets/benchmarks/overview.py [--runs 50]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfservice.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 5000])
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from accounts.tests.factories import UserFactory
        from companies.tests.factories import CompanyFactory, MembershipFactory
        from tickets.models import Category, Status, Ticket, TicketRead

        print(f"{'tickets':>8} {'runs':>5} {'median ms':>10} {'p95 ms':>8}  (database: {connection.vendor})")
        for size in args.sizes:
            company = CompanyFactory.create()
            user = MembershipFactory.create(company=company, user=UserFactory.create()).user
            now = timezone.now()
            statuses = [Status.NEW, Status.IN_PROGRESS, Status.PENDING, Status.RESOLVED, Status.CLOSED]
            Ticket.objects.bulk_create(
                [
                    Ticket(
                        company=company,
                        number=f"T-B{company.pk}-{i:06d}",
                        subject=f"Sag nummer {i}",
                        description="Benchmark",
                        category=Category.OTHER,
                        status=statuses[i % len(statuses)],
                        created_at=now - timedelta(minutes=i),
                        last_activity_at=now - timedelta(minutes=i),
                        last_staff_reply_at=now - timedelta(minutes=i) if i % 3 == 0 else None,
                    )
                    for i in range(size)
                ],
                batch_size=1000,
            )
            TicketRead.objects.bulk_create(
                [
                    TicketRead(user=user, ticket_id=pk, read_at=now)
                    for pk in Ticket.objects.filter(company=company).values_list("pk", flat=True)[: size // 2]
                ],
                batch_size=1000,
            )
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            client.get("/")  # warm up templates and the session
            timings = []
            for _ in range(args.runs):
                start = time.perf_counter()
                response = client.get("/")
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200 and b"My support tickets" in response.content
            p95 = statistics.quantiles(timings, n=20)[-1]
            print(f"{size:>8} {args.runs:>5} {statistics.median(timings):>10.1f} {p95:>8.1f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
