"""The subscription overview as CSV ("Subscription overview (CSV)"): its rows, streamed, and the audit record of
who exported what."""

from collections.abc import Iterator
from typing import Any

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.actor import Actor
from audit.events import record
from common import spreadsheet
from companies.models import Company
from subscriptions import selectors
from subscriptions.models import Product, Subscription

# In the admin's language, like the values below them.
CSV_HEADER = [
    gettext_lazy("Name"),
    gettext_lazy("E-mail"),
    gettext_lazy("Phone number"),
    gettext_lazy("Subscription type"),
    gettext_lazy("Status"),
    gettext_lazy("Start date"),
    gettext_lazy("Binding ends"),
    gettext_lazy("End date"),
    gettext_lazy("Cost centre"),
    gettext_lazy("Salary number"),
    gettext_lazy("Invoice note"),
    gettext_lazy("SIM type"),
    gettext_lazy("ICCID"),
]
neutralise = spreadsheet.safe_cell
_DANGEROUS = spreadsheet.FORMULA_STARTS


def _export_values(qs: QuerySet[Subscription]) -> QuerySet[Subscription, tuple[Any, ...]]:
    # Dates come out of the database as ISO text (both SQLite and PostgreSQL), which skips a Python date
    # object per cell; each distinct day is then formatted once (``spreadsheet.DayCells``). That and plain dict
    # look-ups keep the export well above 50,000 rows/s.
    return (
        qs.order_by(*selectors.SORTS["name"])
        .annotate(
            start_iso=Cast("start_date", CharField()),
            binding_iso=Cast("binding_end", CharField()),
            end_iso=Cast("end_date", CharField()),
        )
        .values_list(
            "user_name",
            "email",
            "phone_number",
            "product_id",
            "status",
            "start_iso",
            "binding_iso",
            "end_iso",
            "cost_centre",
            "salary_number",
            "invoice_note",
            "sim_type",
            "iccid",
        )
    )


def csv_rows(qs: QuerySet[Subscription]) -> Iterator[str]:
    """The CSV file of ``qs``, in chunks of up to 1,000 rows; headers and values in the active language,
    dates and phone numbers as on the pages (``common.formats``)."""
    products = {p.pk: neutralise(p.display_name) for p in Product.objects.all()}
    statuses = {value: str(label) for value, label in Subscription.Status.choices}
    sims = {value: str(label) for value, label in Subscription.SimType.choices}
    sims[""] = ""
    days = spreadsheet.DayCells()
    phone_cell = spreadsheet.phone_cell
    # Semicolons, as Excel expects with Danish regional settings (the invoice-details CSV does the same).
    writer = spreadsheet.row_writer()
    yield spreadsheet.BOM + writer.writerow([str(h) for h in CSV_HEADER])
    rows = _export_values(qs)
    danger = _DANGEROUS
    buffer: list[str] = []
    writerow = writer.writerow
    for name, email, phone, product_id, status, start, binding, end, cc, salary, note, sim_type, iccid in rows.iterator(
        chunk_size=5000
    ):
        buffer.append(
            writerow(
                (
                    "'" + name if name.startswith(danger) else name,
                    "'" + email if email.startswith(danger) else email,
                    # Danish numbers, the common case, formatted here as formats.phone does (no call per row).
                    f"{phone[3:5]} {phone[5:7]} {phone[7:9]} {phone[9:]}"
                    if len(phone) == 11 and phone[:3] == "+45" and phone[3:].isdigit()
                    else phone_cell(phone),
                    products.get(product_id, ""),
                    statuses.get(status, status),
                    days[start],
                    days[binding],
                    days[end],
                    "'" + cc if cc.startswith(danger) else cc,
                    "'" + salary if salary.startswith(danger) else salary,
                    "'" + note if note.startswith(danger) else note,
                    sims.get(sim_type, ""),
                    "'" + iccid if iccid.startswith(danger) else iccid,
                )
            )
        )
        if len(buffer) >= 1000:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def filename(company: Company) -> str:
    """``subscription-overview-<company>-<date>.csv``, in the active language."""
    base = _("subscription-overview")
    return f"{base}-{slugify(company.name)}-{timezone.localdate().isoformat()}.csv"


def stream(qs: QuerySet[Subscription]) -> Iterator[bytes]:
    """``csv_rows`` as UTF-8, in the language active now: the body is produced after the view has returned."""
    language = translation.get_language()

    def chunks() -> Iterator[bytes]:
        with translation.override(language):
            for chunk in csv_rows(qs):
                yield chunk.encode("utf-8")

    return chunks()


def record_export(*, company: Company, filters: dict[str, Any], by: Actor) -> None:
    """Audits an export with the filters it used (the list's sort order is not one)."""
    record(
        "subscription.exported",
        by=by,
        company=company,
        details={k: str(v) for k, v in filters.items() if v and k != "sort"},
    )
