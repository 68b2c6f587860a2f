"""Benchmark: the monthly billing run and the invoice PDF.

    createdb -h 127.0.0.1 -U root bench_inv
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_inv .venv/bin/python invoicing/benchmarks/billing.py

Options: --sizes 10000,100000 (subscriptions; 100 per company; 10 usage records each),
--pdf-users 1000,10000, --repeat N (runs per billing size; median and p95 are printed).
The script TRUNCATEs the invoicing, subscription and company tables of the database it is
given: point it at a database of its own.
"""

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfservice.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from audit.actor import Actor  # noqa: E402
from invoicing.billing import run_billing  # noqa: E402
from invoicing.models import Invoice, InvoiceLine, InvoiceSection  # noqa: E402
from invoicing.pdf import render_invoice_pdf  # noqa: E402
from registry.demo import cvr_with_check  # noqa: E402
from subscriptions.models import AddOn, Product  # noqa: E402

PERIOD = "2026-11"
PER_COMPANY = 100
USAGE_PER_SUB = 10
TYPES = ["voice", "sms", "data", "roaming", "premium"]


def bench_phone(i: int) -> str:
    """A valid Danish mobile number per subscription (+4520 100000 …), as the usage import requires."""
    return f"+4520{100000 + i:06d}"


def reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE invoicing_invoiceline, invoicing_invoicesection, invoicing_einvoicedelivery, "
            "invoicing_charge, invoicing_usagerecord, invoicing_usageimport, invoicing_invoice, subscriptions_subscription_add_ons, "
            "subscriptions_subscription, audit_auditevent, companies_membership, companies_company CASCADE"
        )
        cursor.execute("TRUNCATE django_tasks_database_dbtaskresult CASCADE")
        cursor.execute("UPDATE invoicing_invoicecounter SET last_number = 100000")


def _copy(table: str, columns: str, rows: Iterable[Sequence[object]]) -> None:
    with connection.cursor() as cursor, cursor.connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(subscriptions: int) -> None:
    reset()
    rng = random.Random(42)
    product, _ = Product.objects.get_or_create(
        code="bench-30gb",
        defaults={"name": "Mobile 30 GB", "name_da": "Mobil 30 GB", "kind": "mobile", "monthly_price": 14900},
    )
    add_on, _ = AddOn.objects.get_or_create(code="bench-eu", defaults={"name": "EU data", "monthly_price": 4900})
    companies = subscriptions // PER_COMPANY
    _copy(
        "companies_company",
        "id, name, cvr, ean, street, postcode, city, require_mfa, invoice_language, created_at",
        (
            (
                i + 1,
                f"Bench {i} ApS",
                cvr_with_check(f"{3000000 + i * 17:07d}"),
                "",
                "Vej 1",
                "8000",
                "Aarhus C",
                False,
                "da",
                dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            )
            for i in range(companies)
        ),
    )
    first = dt.date(2026, 11, 1)
    # Every NOT NULL column (COPY does not apply Django's defaults); numbers the usage import accepts.
    _copy(
        "subscriptions_subscription",
        "id, company_id, user_name, email, phone_number, product_id, status, start_date, end_date, cancel_reason, "
        "cost_centre, salary_number, invoice_note, sim_type, iccid, created_at, updated_at, sort_name, search_text, "
        "pin_encrypted, puk_encrypted, port_in_operator, port_in_requested, sim_blocked, block_data, block_premium, "
        "block_roaming, suspend_reason",
        (
            (
                i + 1,
                i // PER_COMPANY + 1,
                f"Bruger {i:06d}",
                "",
                bench_phone(i),
                product.pk,
                "active",
                first + dt.timedelta(days=rng.randrange(30)) if i % 10 == 0 else dt.date(2025, 1, 1),
                first + dt.timedelta(days=rng.randrange(30)) if i % 25 == 0 else None,
                "",
                "",
                "",
                "",
                "",
                "",
                dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                f"bruger {i:06d}",
                f"bruger {i:06d} {bench_phone(i)}",
                "",
                "",
                "",
                False,
                False,
                False,
                False,
                False,
                "",
            )
            for i in range(subscriptions)
        ),
    )
    _copy(
        "subscriptions_subscription_add_ons",
        "subscription_id, addon_id",
        ((i + 1, add_on.pk) for i in range(0, subscriptions, 3)),
    )
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    _copy(
        "invoicing_usagerecord",
        "company_id, subscription_id, record_id, time, type, quantity, charge, late",
        (
            (
                i // PER_COMPANY + 1,
                i + 1,
                f"bench-{i}-{j}",
                start + dt.timedelta(seconds=rng.randrange(29 * 86400)),
                TYPES[j % 5],
                rng.randint(1, 500),
                rng.choice([0, 0, 0, 150, 2500]),
                False,
            )
            for i in range(subscriptions)
            for j in range(USAGE_PER_SUB)
        ),
    )
    with connection.cursor() as cursor:
        for table in ["companies_company", "subscriptions_subscription"]:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        cursor.execute("ANALYZE")


def bench_billing(subscriptions: int, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        seed(subscriptions)
        started = time.perf_counter()
        result = run_billing(PERIOD, by=Actor.system("benchmark"), issue_date=dt.date(2026, 12, 1))
        times.append(time.perf_counter() - started)
        assert len(result.created) == subscriptions // PER_COMPANY
        started = time.perf_counter()
        again = run_billing(PERIOD, by=Actor.system("benchmark"), issue_date=dt.date(2026, 12, 1))
        rerun = time.perf_counter() - started
        assert again.created == []
        lines = InvoiceLine.objects.count()
        print(f"  run: {times[-1]:.1f} s ({lines} lines; idempotent re-run {rerun:.2f} s)", flush=True)
    return times


def pdf_invoice(users: int) -> Invoice:
    reset()
    from companies.models import Company

    company = Company.objects.create(
        name="PDF Bench A/S",
        cvr=cvr_with_check("3999999"),
        ean="5790001330583",
        street="Havnegade 1",
        postcode="1058",
        city="København K",
    )
    invoice = Invoice.objects.create(
        company=company,
        number=999001,
        period=PERIOD,
        issue_date=dt.date(2026, 12, 1),
        due_date=dt.date(2026, 12, 15),
        status=Invoice.Status.ISSUED,
        language="da",
    )
    sections = InvoiceSection.objects.bulk_create(
        [
            InvoiceSection(
                invoice=invoice,
                user_name=f"Bruger {i:05d}",
                phone_number=f"+4520{i:06d}",
                product_name="Mobil 30 GB",
                total=21700,
            )
            for i in range(users)
        ]
    )
    lines = []
    for section in sections:
        lines += [
            InvoiceLine(
                invoice=invoice,
                section=section,
                kind="subscription",
                description="Mobil 30 GB",
                quantity=30,
                amount=14900,
            ),
            InvoiceLine(
                invoice=invoice, section=section, kind="add_on", description="EU-data", quantity=30, amount=4900
            ),
            InvoiceLine(
                invoice=invoice,
                section=section,
                kind="usage",
                usage_type="voice",
                description="Tale (minutter)",
                quantity=312,
                amount=0,
            ),
            InvoiceLine(
                invoice=invoice,
                section=section,
                kind="usage",
                usage_type="data",
                description="Data (MB)",
                quantity=5120,
                amount=0,
            ),
            InvoiceLine(
                invoice=invoice,
                section=section,
                kind="usage",
                usage_type="roaming",
                description="Roaming",
                quantity=12,
                amount=1900,
            ),
        ]
    InvoiceLine.objects.bulk_create(lines, batch_size=5000)
    return Invoice.objects.unscoped().select_related("company").get(pk=invoice.pk)


def bench_pdf(users: int, repeat: int) -> tuple[list[float], int]:
    invoice = pdf_invoice(users)
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        data = render_invoice_pdf(invoice)
        times.append(time.perf_counter() - started)
        size = len(data)
    from pypdf import PdfReader

    return times, len(PdfReader(io.BytesIO(data)).pages) if size else 0


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):.2f} s, p95 {p95:.2f} s (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--pdf-users", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--pdf-repeat", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at a PostgreSQL database of its own (see the docstring).")
    call_command("migrate", verbosity=0)
    print(
        f"PostgreSQL {connection.cursor().connection.info.server_version}; {PER_COMPANY} subscriptions per "
        f"company, {USAGE_PER_SUB} usage records per subscription"
    )
    billing: dict[int, list[float]] = {}
    for size in [int(s) for s in args.sizes.split(",") if s]:
        print(f"Billing run, {size} subscriptions, {size * USAGE_PER_SUB} usage records:", flush=True)
        billing[size] = bench_billing(size, args.repeat)
        median = statistics.median(billing[size])
        print(f"  {summary(billing[size])}; {median / size * 1e6:.0f} µs per subscription", flush=True)
    for users in [int(s) for s in args.pdf_users.split(",") if s]:
        repeat = args.pdf_repeat if users <= 2000 else max(1, args.pdf_repeat // 2)
        times, pages = bench_pdf(users, repeat)
        print(f"PDF, {users} users ({pages} pages): {summary(times)}", flush=True)
    reset()


if __name__ == "__main__":
    main()
