"""Tasks survive their worker: a real `db_worker` is killed with SIGKILL mid-task, a new one finishes the work.

PostgreSQL only: the worker is a separate process that must see the test's committed data, and the
kill points are made deterministic with row locks (the test holds a lock the worker waits for, so the
worker is known to be inside the task when it is killed). Each test prints its recovery times; the
figures are in docs/durable-work.md ("Tasks survive their worker").
"""

import collections
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.actor import Actor
from invoicing.actions import start_billing_run
from invoicing.billing import run_billing
from invoicing.models import EInvoiceDelivery, Invoice, InvoiceCounter
from invoicing.tests.factories import EInvoiceRecipientFactory, SubscriptionFactory
from jobs.models import TaskLease

pytestmark = [
    pytest.mark.fault,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process must share the test database and its row locks: PostgreSQL only",
    ),
]

PERIOD = "2026-11"
LEASE = 2  # seconds: the new worker's TASK_LEASE_SECONDS, short so the test is quick
BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # An earlier transactional test may have flushed the counter that a migration made.
    InvoiceCounter.objects.get_or_create(name="invoice")


class Workers:
    """`manage.py db_worker` processes on the test database, sharing the test's files and a mail folder."""

    def __init__(self, tmp_path: Path) -> None:
        self.mail = tmp_path / "mail"
        self.logs = tmp_path
        self.started: list[subprocess.Popen] = []

    def start(self, name: str) -> subprocess.Popen:
        db = connection.settings_dict
        url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "TASK_LEASE_SECONDS": str(LEASE),
            "TASK_MAX_ATTEMPTS": "3",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "EMAIL_BACKEND": "file",
            "EMAIL_FILE_PATH": str(self.mail),
            "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("EMAIL_HOST", None)
        log = (self.logs / f"worker-{name}.log").open("w")
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.05",
                "--worker-id",
                name,
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.started.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"worker-{name}.log").read_text()

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def recipients(self) -> collections.Counter[str]:
        """How many messages each address got, from the file backend's files."""
        sent: collections.Counter[str] = collections.Counter()
        for path in self.mail.glob("*") if self.mail.exists() else []:
            for line in path.read_text(errors="replace").splitlines():
                if line.startswith("To: "):
                    sent[line[4:].strip()] += 1
        return sent


@pytest.fixture
def workers(tmp_path):
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()


def wait_for(condition: Callable[[], object], what: str, timeout: float = 180, process=None) -> float:
    """Polls until `condition()` is true; returns when (monotonic). Fails with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        if process is not None and process.poll() is not None:
            pytest.fail(f"the worker exited ({process.returncode}) while waiting for {what}")
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


def kill(process: subprocess.Popen) -> float:
    process.send_signal(signal.SIGKILL)
    process.wait()
    return time.monotonic()


def customers(count: int) -> dict[int, str]:
    """`count` companies with a subscription and a confirmed eInvoice address each: company id -> address."""
    addresses = {}
    for n in range(count):
        company = SubscriptionFactory().company
        addresses[company.pk] = EInvoiceRecipientFactory(
            company=company, email=f"faktura-{n}@kunde.dk", confirmed_at=timezone.now()
        ).email
    return addresses


def everything_done(count: int) -> bool:
    invoices = Invoice.all_companies.filter(period=PERIOD)
    return (
        invoices.count() == count
        and not invoices.filter(pdf="").exists()
        and EInvoiceDelivery.all_companies.filter(invoice__period=PERIOD, status=EInvoiceDelivery.Status.SENT).count()
        == count
    )


def assert_exactly_once(addresses: dict[int, str], workers: Workers) -> None:
    invoices = list(Invoice.all_companies.filter(period=PERIOD).order_by("number"))
    assert sorted(i.company_id for i in invoices) == sorted(addresses), "each company invoiced exactly once"
    numbers = [i.number for i in invoices]
    assert numbers == list(range(numbers[0], numbers[0] + len(addresses))), "numbers without gaps"
    for invoice in invoices:
        assert invoice.pdf and Path(invoice.pdf.path).stat().st_size > 1000, f"PDF of {invoice.number}"
    deliveries = collections.Counter(
        EInvoiceDelivery.all_companies.filter(invoice__period=PERIOD).values_list("invoice_id", "email", "status")
    )
    assert deliveries == collections.Counter(
        {(i.pk, addresses[i.company_id], EInvoiceDelivery.Status.SENT): 1 for i in invoices}
    ), "one delivery each"
    assert workers.recipients() == collections.Counter(addresses.values()), "each eInvoice e-mailed exactly once"
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists(), "no task left behind"


def test_a_billing_run_killed_half_way_finishes_with_each_invoice_once(database_tasks, workers):
    count = 40
    addresses = customers(count)
    first = workers.start("A")
    start_billing_run(period=PERIOD, by=Actor.system("fault test"))
    billing = DBTaskResult.objects.get(task_path="invoicing.tasks.run_billing_task")

    wait_for(lambda: Invoice.all_companies.filter(period=PERIOD).count() >= 5, "the first invoices", process=first)
    with transaction.atomic():
        # The worker now waits for the invoice counter inside its next invoice's transaction: kill it there.
        InvoiceCounter.objects.select_for_update().get(name="invoice")
        time.sleep(0.3)
        killed_at = kill(first)
        made_before = Invoice.all_companies.filter(period=PERIOD).count()
    assert 5 <= made_before < count, "killed in the middle of the run"
    billing.refresh_from_db()
    assert billing.status == TaskResultStatus.RUNNING, "the killed worker left its task running"

    second = workers.start("B")
    reclaimed_at = wait_for(
        lambda: TaskLease.objects.filter(task=billing, reclaimed=1).exists(),
        "the billing run to be reclaimed",
        process=second,
    )
    billed_at = wait_for(
        lambda: Invoice.all_companies.filter(period=PERIOD).count() == count, "every invoice", process=second
    )
    done_at = wait_for(lambda: everything_done(count), "every PDF and eInvoice", process=second)
    wait_for(
        lambda: not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists(),
        "idle queue",
        process=second,
    )

    assert_exactly_once(addresses, workers)
    lease = TaskLease.objects.get(task=billing)
    assert (lease.attempts, lease.reclaimed, lease.worker_id) == (2, 1, "B")
    assert "queued again: worker A stopped heart-beating" in workers.log("B")
    print(
        f"\nbilling run killed after {made_before}/{count} invoices; lease {LEASE} s: "
        f"reclaimed after {reclaimed_at - killed_at:.1f} s, all invoices after {billed_at - killed_at:.1f} s, "
        f"all PDFs and eInvoices after {done_at - killed_at:.1f} s"
    )


def test_a_worker_killed_during_a_pdf_leaves_no_invoice_without_pdf_or_einvoice(database_tasks, workers):
    count = 12
    addresses = customers(count)
    # Billed here, in the test: each invoice commits together with its PDF/eInvoice task.
    run_billing(PERIOD, by=Actor.system("fault test"))
    victim = Invoice.all_companies.filter(period=PERIOD).order_by("number")[4]
    task = DBTaskResult.objects.get(task_path="invoicing.tasks.process_issued_invoice", args_kwargs__args=[victim.pk])

    with transaction.atomic():
        # ensure_pdf locks the invoice to make its PDF: holding the lock stops the worker inside that step.
        Invoice.all_companies.select_for_update().get(pk=victim.pk)
        first = workers.start("A")
        wait_for(
            lambda: DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING).exists(),
            "the PDF task of the fifth invoice",
            process=first,
        )
        time.sleep(0.3)
        killed_at = kill(first)
    victim.refresh_from_db()
    assert not victim.pdf, "killed before the PDF was stored"
    assert Invoice.all_companies.filter(period=PERIOD).exclude(pdf="").count() == 4

    second = workers.start("B")
    reclaimed_at = wait_for(
        lambda: TaskLease.objects.filter(task=task, reclaimed=1).exists(),
        "the PDF task to be reclaimed",
        process=second,
    )
    done_at = wait_for(lambda: everything_done(count), "every PDF and eInvoice", process=second)
    wait_for(
        lambda: not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists(),
        "idle queue",
        process=second,
    )

    assert_exactly_once(addresses, workers)
    lease = TaskLease.objects.get(task=task)
    assert (lease.attempts, lease.reclaimed, lease.worker_id) == (2, 1, "B")
    print(
        f"\nworker killed in the PDF of invoice 5/{count}; lease {LEASE} s: reclaimed after "
        f"{reclaimed_at - killed_at:.1f} s, all PDFs and eInvoices after {done_at - killed_at:.1f} s"
    )
