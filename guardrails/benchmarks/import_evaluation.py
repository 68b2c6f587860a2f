"""The usage import's time at 50,000 lines with the guardrail evaluation inside it (before) and queued (after).

Runs against a throw-away test database. One company with --lines subscriptions and a company-wide spend cap;
each run imports one file with a record for every line (the worst case: a company-wide file) through the real
import. "inline" puts back the old handler (``actions.evaluate`` in the import's transaction); "queued" is
today's (the import writes an ``Evaluation`` and its task); then the queued evaluation is run as the worker
would (in chunks, each its own transaction) and timed on its own.

    .venv/bin/python guardrails/benchmarks/import_evaluation.py [--lines 50000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ss_x .venv/bin/python guardrails/benchmarks/import_evaluation.py
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfservice.settings")


def _file(phones: list[str], tag: str) -> str:
    when = dt.datetime.now().replace(minute=0, second=0, microsecond=0)
    lines = ["record_id,phone_number,time,type,quantity,charge_ore,zone"]
    lines += [f"{tag}-{i},{phone},{when:%Y-%m-%d %H:%M:%S},voice,3,{100 + i % 7}," for i, phone in enumerate(phones)]
    return "\n".join(lines) + "\n"


def _import(phones: list[str], tag: str) -> float:
    from audit.actor import Actor
    from invoicing.actions import import_usage

    start = time.perf_counter()
    import_usage(text=_file(phones, tag), filename=f"{tag}.csv", by=Actor.system("benchmark"))
    return time.perf_counter() - start


def _inline(event: Any) -> dict:
    """The handler before: evaluates in the import's transaction."""
    from companies.models import Company
    from guardrails import actions

    company = Company.objects.get(pk=event.company_id)
    return {"guardrails": actions.evaluate(company=company, subscription_ids=event.subscription_ids, month=event.month)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from audit.actor import Actor
        from companies.tests.factories import CompanyFactory, MembershipFactory
        from guardrails import actions, evaluations, handlers
        from guardrails.models import Evaluation
        from invoicing.tests.factories import ProductFactory
        from registry.events import subscribe, unsubscribe
        from subscriptions.models import Subscription
        from usage.events import UsageAggregated

        company = CompanyFactory.create()
        MembershipFactory.create(company=company)
        product = ProductFactory.create()
        Subscription.objects.bulk_create(
            [
                Subscription(
                    company=company,
                    user_name=f"Bruger {i:05d}",
                    phone_number=f"+4520{i + 900000:06d}",
                    product=product,
                    status=Subscription.Status.ACTIVE,
                    start_date=dt.date(2024, 1, 1),
                    cost_centre=f"CC{i % 200:03d}",
                )
                for i in range(args.lines)
            ],
            batch_size=5000,
        )
        phones = list(Subscription.objects.filter(company=company).values_list("phone_number", flat=True))
        actions.save_policy(company=company, scope="company", data={"spend_cap": 100_000}, by=Actor.system("b"))
        Evaluation.objects.filter(company=company).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"# {connection.vendor}: import of {args.lines} lines (one record each), no threshold reached")
        for run in range(args.runs):
            unsubscribe(UsageAggregated, handlers.on_usage_aggregated)
            subscribe(UsageAggregated, _inline)
            try:
                before = _import(phones, f"inline{run}")
            finally:
                unsubscribe(UsageAggregated, _inline)
                subscribe(UsageAggregated, handlers.on_usage_aggregated)
            after = _import(phones, f"queued{run}")
            [pk] = Evaluation.objects.filter(company=company, status="pending").values_list("pk", flat=True)
            start = time.perf_counter()
            evaluations.run(pk)
            task = time.perf_counter() - start
            print(
                f"run {run + 1}: import with the evaluation inside {before * 1000:.0f} ms; "
                f"import queuing it {after * 1000:.0f} ms; the queued evaluation (chunks of "
                f"{evaluations.chunk_size()}) {task * 1000:.0f} ms"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
