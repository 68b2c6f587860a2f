"""The all-or-nothing file imports (usage from the network, payments from the bank).

Every import:
- is refused when a file with the same content (any name) was imported before, naming that import;
- reads the file as a stream, line by line, so memory stays flat however large the file is
  (usage records are inserted in batches inside the one transaction);
- reports every bad line by number (encoding, unclosed quotes, short rows, bad values) and then
  imports nothing.

A staff upload of a large file runs as a task (``invoicing.tasks.import_file_task``, queued by
``invoicing.actions.queue_import``) and writes
its progress to the import row; the page polls it.
"""

import csv
import datetime as dt
import functools
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import bulk_record, record
from audit.models import AuditEvent
from invoicing.events import UsageImported
from invoicing.models import FileImport, Invoice, InvoiceCounter, Payment, PaymentImport, UsageImport, UsageRecord
from invoicing.money import parse_day, parse_kr
from registry.events import publish
from subscriptions.models import Subscription

USAGE_COLUMNS = ["record_id", "phone_number", "time", "type", "quantity", "charge_ore"]
# An optional last column: where a roaming record was made (eu = EU/EEA, world = the rest); files without it
# stay importable, and their roaming counts as rest of the world (the zone the EU roaming cap is about).
USAGE_ZONE_COLUMN = "zone"
ZONE_ALIASES = {"eu": "eu", "eea": "eu", "eu/eea": "eu", "world": "world", "row": "world", "": ""}
PAYMENT_COLUMNS = ["invoice_number", "amount", "date", "reference"]
BATCH_ROWS = 5000
MAX_LINE_BYTES = 64 * 1024  # far above any real line; a longer one is refused, never held in memory
MAX_ERRORS = 1000  # listed; the count says how many more there were


@dataclass
class UsageRowError:
    line: int | None
    reason: str

    def __str__(self) -> str:
        if self.line is None:
            return self.reason
        return _("Line %(line)s: %(reason)s") % {"line": self.line, "reason": self.reason}


class UsageImportError(ValidationError):
    def __init__(self, errors: list[UsageRowError]) -> None:
        self.row_errors = errors
        super().__init__([str(e) for e in errors])


class PaymentImportError(UsageImportError):
    """A bank file with bad rows: nothing of it was imported."""


class _Errors:
    def __init__(self) -> None:
        self.items: list[UsageRowError] = []
        self.count = 0

    def add(self, line: int | None, reason: str) -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(UsageRowError(line, reason))

    def __bool__(self) -> bool:
        return self.count > 0

    def raise_(self, error_class: type[UsageImportError]) -> None:
        items = sorted(self.items, key=lambda e: e.line or 0)
        if self.count > len(items):
            items.append(UsageRowError(None, _("… and %(count)s more errors.") % {"count": self.count - len(items)}))
        raise error_class(items)


# The file ----------------------------------------------------------------------------------


@dataclass
class Source:
    """The file to import, opened as bytes on demand (it is read twice: hash, then import)."""

    filename: str
    opener: Callable[[], IO[bytes]]
    size: int = 0  # bytes, for progress

    @classmethod
    def of(
        cls, *, filename: str, text: str | None = None, path: Path | None = None, data: bytes | None = None
    ) -> "Source":
        if path is not None:
            where = path
            return cls(filename, lambda: where.open("rb"), where.stat().st_size)
        content = text.encode("utf-8") if text is not None else (data or b"")
        return cls(filename, lambda: io.BytesIO(content), len(content))

    def open(self) -> IO[bytes]:
        return self.opener()

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.open() as stream:
            for chunk in iter(lambda: stream.read(1024 * 1024), b""):
                digest.update(chunk)
        return digest.hexdigest()


def _lines(stream: IO[bytes], errors: _Errors, stop: list[bool]) -> Iterator[str]:
    """Decoded lines; a line that is not UTF-8 becomes an error (and an empty line for the CSV reader)."""
    number = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            errors.add(number, _("the line is longer than %(size)s kB") % {"size": MAX_LINE_BYTES // 1024})
            stop[0] = True
            return
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            errors.add(number, _("the line is not UTF-8 text (save the file as UTF-8 CSV)"))
            yield "\n"


def csv_rows(stream: IO[bytes], *, delimiter: str, errors: _Errors) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) per CSV row; broken quoting ends the file with an error naming its line."""
    stop = [False]
    reader = csv.reader(_lines(stream, errors, stop), delimiter=delimiter, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            errors.add(
                start,
                _("the line cannot be read as CSV (%(problem)s; is a quote not closed?)") % {"problem": str(error)},
            )
            return
        if stop[0]:
            return
        yield start, cells


# Progress ------------------------------------------------------------------------------------

# Told (rows read, bytes read) as the file is read: a command draws its progress from it.
Report = Callable[[int, int], None]


class _Progress:
    """Writes rows read to the import row while its transaction is still open.

    On PostgreSQL through a second connection, so the page sees it before the import
    commits. SQLite allows one writer at a time, so there the page shows "Importing" until
    the end. A command's ``report`` is told rows and bytes read.
    """

    def __init__(self, upload: FileImport | None, report: Report | None = None) -> None:
        self.upload = upload
        self.report = report
        self.side = None
        if upload is not None and upload.pk and connection.vendor == "postgresql":
            self.side = connections.create_connection("default")

    def __call__(self, rows: int, position: int = 0) -> None:
        if self.report is not None:
            self.report(rows, position)
        if self.side is None or self.upload is None:
            return
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.upload._meta.db_table} SET rows_done = %s WHERE id = %s", [rows, self.upload.pk]
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


# Shared steps -----------------------------------------------------------------------------


def _earlier_import(model: type[FileImport], sha256: str) -> FileImport | None:
    return model._default_manager.filter(sha256=sha256, status=FileImport.Status.DONE).first()


def _already_imported(earlier: FileImport) -> str:
    return _("This file was already imported on %(when)s by %(who)s as “%(file)s”; nothing was imported again.") % {
        "when": formats.date_format(timezone.localtime(earlier.imported_at), "SHORT_DATETIME_FORMAT"),
        "who": earlier.imported_by or "?",
        "file": earlier.filename,
    }


def _begin(model: type[FileImport], source: Source, by: Actor, upload: FileImport | None) -> FileImport:
    """The import row: the staff upload's (made when it was queued) or a new one in this transaction."""
    if upload is None:
        upload = model._default_manager.create(
            filename=source.filename[:200], imported_by=by.display, status=FileImport.Status.RUNNING
        )
    return upload


def _finish(upload: FileImport, rows: int, **fields: Any) -> None:
    upload.status = FileImport.Status.DONE
    upload.rows = upload.rows_done = rows
    upload.errors = []
    upload.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(upload, name, value)
    try:
        with transaction.atomic():
            upload.save()
    except IntegrityError:  # the same content finished importing in another process meanwhile
        earlier = _earlier_import(type(upload), upload.sha256)
        raise UsageImportError(
            [
                UsageRowError(
                    None,
                    _already_imported(earlier)
                    if earlier
                    else _("The same file is being imported at this moment; nothing was imported again."),
                )
            ]
        ) from None


# Usage ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=50_000)  # a file repeats each subscription's number many times
def _e164(raw: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, "DK")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse_zone(line: int, usage_type: str, raw_zone: str, errors: _Errors) -> str | None:
    zone = ZONE_ALIASES.get(raw_zone.lower())
    if zone is None:
        errors.add(line, _("unknown roaming zone “%(value)s” (use eu or world)") % {"value": raw_zone[:80]})
        return None
    if usage_type != UsageRecord.Type.ROAMING:
        return ""
    return zone or UsageRecord.Zone.WORLD


def _parse_usage_row(line: int, cells: list[str], errors: _Errors, columns: list[str] = USAGE_COLUMNS) -> dict | None:
    if len(cells) != len(columns):
        errors.add(
            line,
            _("expected %(count)s columns (%(columns)s), found %(found)s")
            % {"count": len(columns), "columns": ",".join(columns), "found": len(cells)},
        )
        return None
    record_id, raw_phone, raw_time, usage_type, raw_quantity, raw_charge = (c.strip() for c in cells[:6])
    raw_zone = cells[6].strip() if len(cells) > 6 else ""
    if not record_id or len(record_id) > 64 or any(ch.isspace() or not ch.isprintable() for ch in record_id):
        errors.add(
            line, _("“%(value)s” is not a record id (at most 64 characters, no spaces)") % {"value": record_id[:80]}
        )
        return None
    phone = _e164(raw_phone)
    if phone is None:
        errors.add(line, _("“%(value)s” is not a valid phone number") % {"value": raw_phone[:80]})
        return None
    try:
        time = parse_datetime(raw_time)
    except ValueError:
        time = None
    if time is None:
        errors.add(line, _("“%(value)s” is not a date and time (YYYY-MM-DD HH:MM)") % {"value": raw_time[:80]})
        return None
    if timezone.is_naive(time):
        time = timezone.make_aware(time)
    if usage_type not in UsageRecord.Type.values:
        errors.add(
            line,
            _("unknown type “%(value)s” (use %(types)s)")
            % {"value": usage_type[:80], "types": ", ".join(UsageRecord.Type.values)},
        )
        return None
    try:
        quantity = Decimal(raw_quantity)
        charge = int(raw_charge)
        if (
            not quantity.is_finite()
            or quantity < 0
            or charge < 0
            or quantity != round(quantity, 2)
            or quantity >= 10**10
            or charge >= 10**15
        ):
            raise ValueError
    except (InvalidOperation, ValueError):
        errors.add(line, _("quantity and charge must be non-negative numbers (charge in whole øre)"))
        return None
    zone = _parse_zone(line, usage_type, raw_zone, errors)
    if zone is None:
        return None
    return {
        "zone": zone,
        "line": line,
        "record_id": record_id,
        "phone": phone,
        "time": time,
        "type": usage_type,
        "quantity": quantity,
        "charge": charge,
    }


class _Subscriptions:
    """Subscriptions by phone number, looked up per batch and kept (bounded by the catalogue)."""

    def __init__(self) -> None:
        self.by_phone: dict[str, list[tuple[int, int, dt.date, dt.date | None]]] = {}

    def load(self, phones: set[str]) -> None:
        missing = phones - self.by_phone.keys()
        for phone in missing:
            self.by_phone[phone] = []
        rows = (
            Subscription.objects.unscoped()
            .filter(phone_number__in=missing)
            .exclude(status=Subscription.Status.CANCELLED)
            .values_list("pk", "company_id", "phone_number", "start_date", "end_date")
        )
        for pk, company_id, phone, start, end in rows:
            self.by_phone[phone].append((pk, company_id, start, end))

    def on(self, phone: str, day: dt.date) -> tuple[int, int] | None:
        for pk, company_id, start, end in self.by_phone.get(phone, []):
            if start <= day and (end is None or end >= day):
                return pk, company_id
        return None


def _duplicates(rows: list[dict], batch: UsageImport, errors: _Errors) -> set[str]:
    """Record ids of the batch already stored (earlier files, earlier lines) or twice in the batch."""
    seen: dict[str, int] = {}
    bad: set[str] = set()
    for row in rows:
        if row["record_id"] in seen:
            errors.add(
                row["line"],
                _("record id %(id)s appears twice in this file (also line %(other)s)")
                % {"id": row["record_id"], "other": seen[row["record_id"]]},
            )
            bad.add(row["record_id"])
        else:
            seen[row["record_id"]] = row["line"]
    stored = dict(UsageRecord.objects.unscoped().filter(record_id__in=seen.keys()).values_list("record_id", "batch_id"))
    earlier = {b.pk: b for b in UsageImport.objects.filter(pk__in=set(stored.values()) - {batch.pk})}
    for record_id, batch_id in stored.items():
        if record_id is None:
            continue
        other = earlier.get(batch_id)
        if batch_id == batch.pk:
            reason = _("record id %(id)s appears twice in this file") % {"id": record_id}
        elif other is not None:
            reason = _("record id %(id)s was already imported from “%(file)s” on %(when)s") % {
                "id": record_id,
                "file": other.filename,
                "when": formats.date_format(timezone.localtime(other.imported_at), "SHORT_DATE_FORMAT"),
            }
        else:
            reason = _("record id %(id)s is already imported") % {"id": record_id}
        errors.add(seen[record_id], reason)
        bad.add(record_id)
    return bad


RECORD_COLUMNS = [
    "company_id",
    "subscription_id",
    "record_id",
    "time",
    "type",
    "quantity",
    "charge",
    "batch_id",
    "late",
    "zone",
]


def _insert(records: list[tuple]) -> None:
    """Inserts one batch: COPY on PostgreSQL (several times faster than INSERT), bulk_create elsewhere."""
    if not records:
        return
    if connection.vendor == "postgresql":
        table = UsageRecord._meta.db_table
        connection.ensure_connection()
        with connection.wrap_database_errors, connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(RECORD_COLUMNS)}) FROM STDIN") as copy:
                for values in records:
                    copy.write_row(values)
        return
    UsageRecord.objects.bulk_create(
        [UsageRecord(**dict(zip(RECORD_COLUMNS, values, strict=True))) for values in records], batch_size=BATCH_ROWS
    )


def _mark_late(batch: UsageImport, months: set[tuple[int, str]]) -> int:
    """Marks the batch's records of months already invoiced as late usage, for the next invoice.

    Runs with the invoice counter locked, like the billing run: an invoice created meanwhile is
    either seen here (its records become late) or was created after this import committed
    (and then billed them itself). Nothing falls between.
    """
    from invoicing.billing import period_bounds
    from invoicing.money import parse_period

    InvoiceCounter.lock()
    billed = set(
        Invoice.objects.filter(
            category=Invoice.Category.NORMAL, company_id__in={c for c, _p in months}, period__in={p for _c, p in months}
        ).values_list("company_id", "period")
    )
    late = 0
    for company_id, period in sorted(months & billed):
        start, end = period_bounds(*parse_period(period))
        late += UsageRecord.objects.filter(batch=batch, company_id=company_id, time__gte=start, time__lt=end).update(
            late=True
        )
    return late


def run_usage_import(
    source: Source, *, by: Actor, upload: UsageImport | None = None, report: Report | None = None
) -> UsageImport:
    """Imports a usage file all or nothing: any bad line rejects the whole file."""
    sha256 = source.sha256()
    earlier = _earlier_import(UsageImport, sha256)
    if earlier is not None:
        raise UsageImportError([UsageRowError(None, _already_imported(earlier))])
    progress = _Progress(upload, report)
    try:
        with transaction.atomic():
            batch = _begin(UsageImport, source, by, upload)
            assert isinstance(batch, UsageImport)
            touched: set[tuple[int, int, dt.date]] = set()
            rows, late = _stream_usage(source, batch, progress, touched)
            _finish(batch, rows, sha256=sha256)
            # The usage totals (``usage``) are kept in this transaction: all of the file or none of it.
            publish(UsageImported(batch_id=batch.pk, touched=frozenset(touched)))
            record(
                "invoice.usage_imported",
                by=by,
                company=None,
                target=batch,
                details={"rows": rows, "late": late, "sha256": sha256},
            )
    except IntegrityError:  # a record id stored by another import running at the same moment
        raise UsageImportError(
            [
                UsageRowError(
                    None,
                    _(
                        "Another import stored some of these records at the same moment; nothing was imported. "
                        "Upload the file again to see which lines."
                    ),
                )
            ]
        ) from None
    finally:
        progress.close()
    return batch


def _usage_records(
    pending: list[dict],
    batch: UsageImport,
    subscriptions: _Subscriptions,
    errors: _Errors,
    months: set[tuple[int, str]],
    touched: set[tuple[int, int, dt.date]],
) -> list[tuple]:
    """The rows of ``pending`` to store, matched to the subscription that had the number that day; a row
    without one is an error. Once any line is in error nothing will be stored, but every line is still checked.
    Adds the (company, month) of each stored row to ``months``, and its (company, subscription, month) to
    ``touched``."""
    bad = _duplicates(pending, batch, errors)
    records: list[tuple] = []
    for row in pending:
        day = timezone.localtime(row["time"]).date()
        match = subscriptions.on(row["phone"], day)
        if match is None:
            errors.add(
                row["line"],
                _("no active subscription has number %(phone)s on %(day)s")
                % {"phone": row["phone"], "day": day.isoformat()},
            )
            continue
        if errors or row["record_id"] in bad:
            continue  # nothing will be stored: stop building records, keep checking lines
        months.add((match[1], f"{day:%Y-%m}"))
        records.append(
            (
                match[1],
                match[0],
                row["record_id"],
                row["time"],
                row["type"],
                row["quantity"],
                row["charge"],
                batch.pk,
                False,
                row["zone"],
            )
        )
        touched.add((match[1], match[0], day.replace(day=1)))
    return records


def _stream_usage(
    source: Source,
    batch: UsageImport,
    progress: Callable[[int, int], None],
    touched: set[tuple[int, int, dt.date]],
) -> tuple[int, int]:
    errors = _Errors()
    subscriptions = _Subscriptions()
    months: set[tuple[int, str]] = set()
    done = 0
    pending: list[dict] = []

    def flush(position: int) -> None:
        nonlocal done
        subscriptions.load({r["phone"] for r in pending})
        records = _usage_records(pending, batch, subscriptions, errors, months, touched)
        if not errors:
            _insert(records)
        done += len(pending)
        pending.clear()
        progress(done, position)

    columns: list[str] | None = None
    with source.open() as stream:
        for line, cells in csv_rows(stream, delimiter=",", errors=errors):
            if columns is None:
                columns = [c.strip() for c in cells]
                if columns not in (USAGE_COLUMNS, [*USAGE_COLUMNS, USAGE_ZONE_COLUMN]):
                    errors.add(
                        line,
                        _("the header must be %(columns)s (optionally followed by ,%(zone)s)")
                        % {"columns": ",".join(USAGE_COLUMNS), "zone": USAGE_ZONE_COLUMN},
                    )
                    break
                continue
            if not any(c.strip() for c in cells):
                continue
            row = _parse_usage_row(line, cells, errors, columns)
            if row is not None:
                pending.append(row)
            if len(pending) >= BATCH_ROWS:
                flush(stream.tell())
    if pending:
        flush(source.size)
    if not errors and not done:
        errors.add(None, _("The file has no usage rows."))
    if errors:
        errors.raise_(UsageImportError)
    return done, _mark_late(batch, months)


# Payments ---------------------------------------------------------------------------------


def _parse_payments(stream: IO[bytes], errors: _Errors, report: Report | None = None) -> list[dict]:
    rows: list[dict] = []
    for line, raw_cells in csv_rows(stream, delimiter=";", errors=errors):
        if report is not None and line % BATCH_ROWS == 0:
            report(len(rows), stream.tell())
        cells = [cell.strip() for cell in raw_cells]
        if not any(cells):
            continue
        if line == 1 and not cells[0].isdigit():
            continue  # a header line
        if len(cells) not in (3, 4):
            errors.add(line, _("expected %(columns)s separated by semicolons") % {"columns": ";".join(PAYMENT_COLUMNS)})
            continue
        if not cells[0].isdigit() or len(cells[0]) > 18:
            errors.add(line, _("“%(value)s” is not an invoice number") % {"value": cells[0][:80]})
            continue
        try:
            amount = parse_kr(cells[1])
        except ValueError:
            errors.add(line, _("“%(value)s” is not an amount in kroner (e.g. 1.234,56)") % {"value": cells[1][:80]})
            continue
        try:
            paid_on = parse_day(cells[2])
        except ValueError:
            errors.add(line, _("“%(value)s” is not a date (YYYY-MM-DD or DD-MM-YYYY)") % {"value": cells[2][:80]})
            continue
        reference = cells[3] if len(cells) == 4 else ""
        if len(reference) > 100:
            errors.add(line, _("the reference is longer than 100 characters"))
            continue
        rows.append(
            {"line": line, "number": int(cells[0]), "amount": amount, "paid_on": paid_on, "reference": reference}
        )
    return rows


def _accept_payments(rows: list[dict], errors: _Errors) -> tuple[list[tuple[dict, Invoice]], dict[int, int]]:
    """The bank file's rows that may be registered, with their (locked) invoices, and the total per invoice;
    every other row is an error: no such invoice, a payment the invoice refuses, or one already registered."""
    from invoicing.payments import payment_problem

    numbers = {row["number"] for row in rows}
    invoices = {i.number: i for i in Invoice.objects.unscoped().select_for_update().filter(number__in=numbers)}
    credited = set(
        Invoice.objects.unscoped()
        .filter(credited_invoice__number__in=numbers)
        .values_list("credited_invoice_id", flat=True)
    )
    existing = set(
        Payment.objects.unscoped()
        .filter(invoice__number__in=numbers)
        .exclude(reference="")
        .values_list("invoice_id", "amount", "paid_on", "reference")
    )
    pending: dict[int, int] = {}
    accepted = []
    for row in rows:
        invoice = invoices.get(row["number"])
        if invoice is None:
            errors.add(row["line"], _("there is no invoice with number %(number)s") % {"number": row["number"]})
            continue
        problem = payment_problem(
            invoice,
            amount=row["amount"],
            paid_on=row["paid_on"],
            credited=invoice.pk in credited,
            pending=pending.get(invoice.pk, 0),
        )
        key = (invoice.pk, row["amount"], row["paid_on"], row["reference"])
        if not problem and row["reference"] and key in existing:
            problem = _("this payment is already registered (or appears twice in the file)")
        if problem:
            errors.add(row["line"], problem)
            continue
        existing.add(key)
        pending[invoice.pk] = pending.get(invoice.pk, 0) + row["amount"]
        accepted.append((row, invoice))
    return accepted, pending


def run_payment_import(
    source: Source, *, by: Actor, upload: PaymentImport | None = None, report: Report | None = None
) -> PaymentImport:
    """Imports a bank file of payments all or nothing: any bad row rejects the whole file.

    The file is read line by line; the accepted payments are kept until the end because each
    invoice's lines must add up before anything is registered (a bank file holds one line per
    payment received: thousands, not millions).
    """
    from invoicing.payments import payment_details, status_after_payment

    sha256 = source.sha256()
    earlier = _earlier_import(PaymentImport, sha256)
    if earlier is not None:
        raise PaymentImportError([UsageRowError(None, _already_imported(earlier))])
    errors = _Errors()
    with source.open() as stream:
        rows = _parse_payments(stream, errors, report)
    if report is not None:
        report(len(rows), source.size)
    if not errors and not rows:
        errors.add(None, _("The file has no payment rows."))
    with transaction.atomic():
        accepted, pending = _accept_payments(rows, errors)
        if errors:
            errors.raise_(PaymentImportError)
        batch = _begin(PaymentImport, source, by, upload)
        assert isinstance(batch, PaymentImport)
        user = by.user if by.user is not None and by.user.is_authenticated else None
        payments = Payment.objects.bulk_create(
            [
                Payment(
                    company_id=invoice.company_id,
                    invoice=invoice,
                    amount=row["amount"],
                    paid_on=row["paid_on"],
                    reference=row["reference"],
                    method=Payment.Method.BANK_TRANSFER,
                    batch=batch,
                    created_by=user,
                    created_by_label=by.display,
                )
                for row, invoice in accepted
            ]
        )
        touched = {invoice.pk: invoice for _row, invoice in accepted}
        for invoice in touched.values():
            invoice.paid_amount += pending[invoice.pk]
            invoice.status = status_after_payment(invoice)
            invoice.save(update_fields=["paid_amount", "status"])
        try:
            _finish(batch, len(accepted), total=sum(pending.values()), sha256=sha256)
        except UsageImportError as error:
            raise PaymentImportError(error.row_errors) from None
        bulk_record(
            [
                AuditEvent(
                    company_id=invoice.company_id,
                    actor=user,
                    actor_label=by.display,
                    ip_address=by.ip_address,
                    action="invoice.payment_registered",
                    target_type=payment._meta.label_lower,
                    target_id=str(payment.pk),
                    target_label=str(payment)[:255],
                    details={**payment_details(payment, invoice), "file": batch.filename},
                )
                for payment, (_row, invoice) in zip(payments, accepted, strict=True)
            ]
        )
    return batch


# Background (staff uploads of large files) -----------------------------------------------


def fail(upload: FileImport, errors: list[str]) -> None:
    """Records why a background import imported nothing (outside its rolled-back transaction)."""
    upload.status = FileImport.Status.FAILED
    upload.errors = errors[: MAX_ERRORS + 1]
    upload.finished_at = timezone.now()
    upload.save(update_fields=["status", "errors", "finished_at"])


BACKGROUND_IMPORT_BYTES = 1024 * 1024  # staff uploads above this run as a task (the page shows progress)
# (queued by ``invoicing.actions.queue_import``)
