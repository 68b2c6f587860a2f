"""The scheduled reports' content and files.

Each report is a header and an iterator of rows read with ``.iterator()`` (a server-side cursor on
PostgreSQL), written row by row to a temporary file and then stored: a report of any size, never capped,
in flat memory for CSV. (ReportLab keeps a PDF's pages until it writes the file, a few kB a page.)

CSV: UTF-8 with a BOM, ";" separated, cells Excel-safe (``common.spreadsheet``), amounts '1234,50'.
PDF: a plain table on A4 landscape in the invoice PDF's colours, a header row on every page.
"""

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db.models import Case, DecimalField, F, Q, Sum, Value, When
from django.utils.translation import gettext as _

from common import formats, spreadsheet
from invoicing.models import Invoice, UsageRecord
from usage.models import BUCKETS, DailyUsage, ReportSchedule

CHUNK = 2000


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text, phone, amount (øre), quantity, gigabytes, date, count


@dataclass
class Report:
    title: str
    columns: list[Column]
    rows: Iterator[list[Any]]


def period_for(frequency: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete period before ``today``: the month before, or the Monday-to-Sunday week before."""
    if frequency == ReportSchedule.Frequency.WEEKLY:
        monday = today - dt.timedelta(days=today.weekday())
        return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def _bucket_sums() -> dict[str, Any]:
    sums: dict[str, Any] = {}
    for key, usage_type, zones in BUCKETS:
        condition = Q(type=usage_type) & (Q(zone__in=zones) if usage_type == UsageRecord.Type.ROAMING else Q())
        sums[f"{key}_quantity"] = Sum(
            Case(When(condition, then=F("quantity")), default=Value(0), output_field=DecimalField())
        )
        sums[f"{key}_charge"] = Sum(Case(When(condition, then=F("charge")), default=Value(0)))
    sums["charge"] = Sum("charge")
    return sums


USAGE_COLUMNS = [
    ("voice_quantity", "quantity"),
    ("sms_quantity", "count"),
    ("data_quantity", "gigabytes"),
    ("roaming_eu_charge", "amount"),
    ("roaming_world_charge", "amount"),
    ("premium_charge", "amount"),
    ("charge", "amount"),
]


def _usage_titles() -> list[Column]:
    titles = [
        _("Voice (minutes)"),
        _("Texts"),
        _("Data (GB)"),
        _("Roaming EU/EEA (DKK)"),
        _("Roaming rest of world (DKK)"),
        _("Premium services (DKK)"),
        _("Cost (DKK excl. VAT)"),
    ]
    return [Column(title, kind) for title, (_name, kind) in zip(titles, USAGE_COLUMNS, strict=True)]


def _days(company_id: int, start: dt.date, end: dt.date, centres: Sequence[str] | None = None) -> Any:
    days = DailyUsage.objects.filter(company_id=company_id, day__gte=start, day__lte=end).order_by()
    return days if centres is None else days.filter(subscription__cost_centre__in=list(centres))


def cost_centres(company_id: int, start: dt.date, end: dt.date, centres: Sequence[str] | None = None) -> Report:
    rows = (
        _days(company_id, start, end, centres)
        .values("subscription__cost_centre")
        .annotate(**_bucket_sums())
        .order_by("-charge", "subscription__cost_centre")
    )
    return Report(
        _("Usage by cost centre"),
        [Column(_("Cost centre")), *_usage_titles()],
        (
            [row["subscription__cost_centre"] or _("(none)")] + [row[name] for name, _kind in USAGE_COLUMNS]
            for row in rows.iterator(chunk_size=CHUNK)
        ),
    )


def top_users(company_id: int, start: dt.date, end: dt.date, centres: Sequence[str] | None = None) -> Report:
    rows = (
        _days(company_id, start, end, centres)
        .values("subscription_id", "subscription__user_name", "subscription__phone_number", "subscription__cost_centre")
        .annotate(**_bucket_sums())
        .order_by("-charge", "subscription_id")
    )
    return Report(
        _("Top users"),
        [Column(_("User")), Column(_("Phone number"), "phone"), Column(_("Cost centre")), *_usage_titles()],
        (
            [row["subscription__user_name"], row["subscription__phone_number"], row["subscription__cost_centre"]]
            + [row[name] for name, _kind in USAGE_COLUMNS]
            for row in rows.iterator(chunk_size=CHUNK)
        ),
    )


def roaming(company_id: int, start: dt.date, end: dt.date, centres: Sequence[str] | None = None) -> Report:
    eu, world = Q(zone=UsageRecord.Zone.EU), ~Q(zone=UsageRecord.Zone.EU)

    def pick(condition: Q, field: str) -> Sum:
        output = DecimalField() if field == "quantity" else None
        return Sum(Case(When(condition, then=F(field)), default=Value(0), output_field=output))

    rows = (
        _days(company_id, start, end, centres)
        .filter(type=UsageRecord.Type.ROAMING)
        .values("subscription_id", "subscription__user_name", "subscription__phone_number", "subscription__cost_centre")
        .annotate(
            eu_quantity=pick(eu, "quantity"),
            eu_charge=pick(eu, "charge"),
            world_quantity=pick(world, "quantity"),
            world_charge=pick(world, "charge"),
            total=Sum("charge"),
        )
        .order_by("-world_charge", "-total", "subscription_id")
    )
    return Report(
        _("Roaming"),
        [
            Column(_("User")),
            Column(_("Phone number"), "phone"),
            Column(_("Cost centre")),
            Column(_("Roaming EU/EEA (quantity)"), "quantity"),
            Column(_("Roaming EU/EEA (DKK)"), "amount"),
            Column(_("Roaming rest of world (quantity)"), "quantity"),
            Column(_("Roaming rest of world (DKK)"), "amount"),
            Column(_("Cost (DKK excl. VAT)"), "amount"),
        ],
        (
            [
                row["subscription__user_name"],
                row["subscription__phone_number"],
                row["subscription__cost_centre"],
                row["eu_quantity"],
                row["eu_charge"],
                row["world_quantity"],
                row["world_charge"],
                row["total"],
            ]
            for row in rows.iterator(chunk_size=CHUNK)
        ),
    )


def invoices(company_id: int, start: dt.date, end: dt.date, centres: Sequence[str] | None = None) -> Report:
    # Whole-company only: create_schedule refuses it to cost-centre-limited admins.
    rows = Invoice.objects.filter(company_id=company_id, issue_date__gte=start, issue_date__lte=end).order_by(
        "issue_date", "number"
    )
    return Report(
        _("Invoice summary"),
        [
            Column(_("Number")),
            Column(_("Period")),
            Column(_("Issue date"), "date"),
            Column(_("Due date"), "date"),
            Column(_("Amount excl. VAT"), "amount"),
            Column(_("VAT"), "amount"),
            Column(_("Amount incl. VAT"), "amount"),
            Column(_("Outstanding"), "amount"),
            Column(_("Status")),
        ],
        (
            [
                invoice.number,
                formats.period(invoice.period),
                invoice.issue_date,
                invoice.due_date,
                invoice.net,
                invoice.vat,
                invoice.total,
                invoice.total - invoice.paid_amount,
                invoice.get_status_display(),
            ]
            for invoice in rows.iterator(chunk_size=CHUNK)
        ),
    )


BUILDERS: dict[str, Callable[[int, dt.date, dt.date, Sequence[str] | None], Report]] = {
    ReportSchedule.Kind.COST_CENTRES: cost_centres,
    ReportSchedule.Kind.TOP_USERS: top_users,
    ReportSchedule.Kind.ROAMING: roaming,
    ReportSchedule.Kind.INVOICES: invoices,
}


# Cells ---------------------------------------------------------------------------------------


def csv_cell(kind: str, value: Any) -> str:
    if kind == "amount":
        return formats.spreadsheet_amount(value)
    if kind in ("quantity", "count"):
        return formats.spreadsheet_quantity(value)
    if kind == "gigabytes":
        return formats.spreadsheet_quantity((Decimal(value or 0) / 1024).quantize(Decimal("0.01")))
    if kind == "phone":
        return spreadsheet.phone_cell(value)
    if kind == "date":
        return formats.date(value)
    return spreadsheet.safe_cell(value)


def page_cell(kind: str, value: Any) -> str:
    if kind == "amount":
        return formats.amount(value)
    if kind in ("quantity", "count"):
        return formats.quantity(value)
    if kind == "gigabytes":
        return formats.gigabytes(value)
    if kind == "phone":
        return formats.phone(value)
    if kind == "date":
        return formats.date(value)
    return "" if value is None else str(value)


# Files ---------------------------------------------------------------------------------------


def write_csv(report: Report, out: IO[str]) -> int:
    out.write(spreadsheet.BOM)
    writer = csv.writer(out, delimiter=spreadsheet.DELIMITER)
    writer.writerow([spreadsheet.safe_cell(c.title) for c in report.columns])
    count = 0
    kinds = [c.kind for c in report.columns]
    for row in report.rows:
        writer.writerow([csv_cell(kind, value) for kind, value in zip(kinds, row, strict=True)])
        count += 1
    return count


def write_pdf(report: Report, out: IO[bytes], *, subtitle: str) -> int:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    from invoicing.pdf import BRAND

    width, height = landscape(A4)
    margin, line = 14 * mm, 5 * mm
    canvas = Canvas(out, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(report.title)
    usable = width - 2 * margin
    first = 0.24 if len(report.columns) > 8 else 0.2
    widths = [usable * first] + [usable * (1 - first) / (len(report.columns) - 1)] * (len(report.columns) - 1)
    kinds = [c.kind for c in report.columns]
    numeric = {"amount", "quantity", "count", "gigabytes"}
    page = [0]

    def fit(text: str, size: float, room: float) -> str:
        while text and stringWidth(text, "Helvetica", size) > room - 2:
            text = text[:-1]
        return text

    def start_page() -> float:
        page[0] += 1
        canvas.setFillColor(BRAND)
        canvas.setFont("Helvetica-Bold", 13)
        canvas.drawString(margin, height - margin, report.title)
        canvas.setFont("Helvetica", 8.5)
        canvas.setFillColorRGB(0.35, 0.42, 0.5)
        canvas.drawString(margin, height - margin - 5 * mm, subtitle)
        canvas.drawRightString(width - margin, height - margin, _("Page %(page)s") % {"page": page[0]})
        y = height - margin - 13 * mm
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont("Helvetica-Bold", 7.5)
        x = margin
        for column, w in zip(report.columns, widths, strict=True):
            text = fit(column.title, 7.5, w)
            if column.kind in numeric:
                canvas.drawRightString(x + w - 2, y, text)
            else:
                canvas.drawString(x, y, text)
            x += w
        canvas.setStrokeColor(BRAND)
        canvas.line(margin, y - 1.5 * mm, width - margin, y - 1.5 * mm)
        canvas.setFont("Helvetica", 7.5)
        return y - line

    y = start_page()
    count = 0
    for row in report.rows:
        if y < margin:
            canvas.showPage()
            y = start_page()
        x = margin
        for kind, value, w in zip(kinds, row, widths, strict=True):
            text = fit(page_cell(kind, value), 7.5, w)
            if kind in numeric:
                canvas.drawRightString(x + w - 2, y, text)
            else:
                canvas.drawString(x, y, text)
            x += w
        y -= line
        count += 1
    if not count:
        canvas.drawString(margin, y, _("Nothing in this period."))
    canvas.save()
    return count


def build_file(
    kind: str, file_format: str, company_id: int, start: dt.date, end: dt.date, centres: Sequence[str] | None = None
) -> tuple[Any, int]:
    """(an open temporary file holding the report, its row count); the caller closes it. ``centres``: only the
    lines of these cost centres (a limited admin's schedule); None: the whole company."""
    report = BUILDERS[kind](company_id, start, end, centres)
    subtitle = f"{formats.date(start)} \u2013 {formats.date(end)}"
    if file_format == ReportSchedule.Format.PDF:
        binary = tempfile.TemporaryFile()
        count = write_pdf(report, binary, subtitle=subtitle)
        binary.seek(0)
        return binary, count
    binary = tempfile.TemporaryFile()
    text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
    count = write_csv(report, text)
    text.flush()
    text.detach()
    binary.seek(0)
    return binary, count
