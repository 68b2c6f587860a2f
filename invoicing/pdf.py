"""The invoice PDF (ReportLab), rendered once at issue and stored.

Long specifications are many small tables (one per user) rather than one big
Table: ReportLab's layout cost grows badly with one huge table.
"""

import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFStream, PDFZCompress
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from common import formats
from invoicing.models import Invoice, InvoiceLine
from invoicing.money import fi_payment_line

# The operator's letterhead and bank account; settings.INVOICE_OPERATOR overrides any key. The defaults
# are placeholders (a valid-format CVR, GLN and IBAN) whose reg./account number is the IBAN's own account.
OPERATOR_DEFAULTS = {
    "name": "Nordic Mobile A/S",
    "street": "Telegade 1",
    "postcode": "2300",
    "city": "København S",
    "cvr": "12345674",
    "gln": "5790000000005",
    "reg": "0040",
    "account": "0440116243",
    "iban": "DK5000400440116243",
    "bic": "NDEADKKK",
    "fi_creditor": "85412345",  # FI creditor number (8 digits) for the +71 payment line
    "email": "faktura@operator.example",
}
OPERATOR = {**OPERATOR_DEFAULTS, **getattr(settings, "INVOICE_OPERATOR", {})}
OPERATOR["address"] = f"{OPERATOR['street']}, {OPERATOR['postcode']} {OPERATOR['city']}"
OPERATOR["bank"] = f"Reg. {OPERATOR['reg']} konto {OPERATOR['account']}"
BRAND = colors.HexColor("#0b3d5c")


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "h1": ParagraphStyle("h1", parent=base["Heading1"], fontSize=18, textColor=BRAND, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=12, textColor=BRAND, spaceBefore=8),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=9, leading=12),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8, leading=10, textColor=colors.grey),
    }


def _money_table(rows: list[list[str]], widths: list[float], *, bold_last: bool = False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 8.5),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, BRAND),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    if bold_last:
        style += [("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8.5), ("LINEABOVE", (0, -1), (-1, -1), 0.6, BRAND)]
    table.setStyle(TableStyle(style))
    return table


def _quantity(kind: str, quantity: Decimal) -> str:
    if kind in (InvoiceLine.Kind.USAGE, InvoiceLine.Kind.LATE_USAGE):
        return formats.quantity(quantity)
    if kind in (InvoiceLine.Kind.SUBSCRIPTION, InvoiceLine.Kind.ADD_ON):
        return _("%(days)s days") % {"days": int(quantity)}
    return str(int(quantity))


def render_invoice_pdf(invoice: Invoice) -> bytes:
    with translation.override(invoice.language):
        return _render(invoice)


def _render(invoice: Invoice) -> bytes:
    company = invoice.company
    styles = _styles()
    buffer = io.BytesIO()
    title = _("Credit note") if invoice.is_credit_note else _("Invoice")
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=f"{title} {invoice.number}",
        author=OPERATOR["name"],
        pageCompression=1,
    )

    def letterhead(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(BRAND)
        canvas.rect(0, A4[1] - 20 * mm, A4[0], 20 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont("Helvetica-Bold", 14)
        canvas.drawString(18 * mm, A4[1] - 12 * mm, OPERATOR["name"])
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(A4[0] - 18 * mm, A4[1] - 9 * mm, OPERATOR["address"])
        canvas.drawRightString(A4[0] - 18 * mm, A4[1] - 13 * mm, f"CVR {OPERATOR['cvr']} · {OPERATOR['email']}")
        canvas.setFillColor(colors.grey)
        canvas.drawString(18 * mm, 10 * mm, f"{title} {invoice.number}")
        canvas.restoreState()  # "Page 1 of 3" is drawn by PagedCanvas once the page count is known

    customer = [
        f"<b>{_escape(company.name)}</b>",
        *map(_escape, company.address_lines),
        _("CVR number: %(cvr)s") % {"cvr": company.cvr},
    ]
    if company.ean:
        customer.append(_("EAN number: %(ean)s") % {"ean": company.ean})
    facts = [
        [_("Credit note number") if invoice.is_credit_note else _("Invoice number"), str(invoice.number)],
        [_("Billing period"), formats.period(invoice.period)],
        [_("Issue date"), formats.date(invoice.issue_date)],
    ]
    if not invoice.is_credit_note:  # a credit note is not paid: no due date
        facts.append([_("Due date"), formats.date(invoice.due_date)])
    credited = invoice.credited_invoice if invoice.credited_invoice_id else None
    if credited is not None:
        facts.append([_("Credits invoice"), str(credited.number)])
    head = Table(
        [[Paragraph("<br/>".join(customer), styles["body"]), Table(facts, colWidths=[38 * mm, 34 * mm])]],
        colWidths=[100 * mm, 74 * mm],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [Paragraph(title, styles["h1"]), head, Spacer(1, 6 * mm)]

    summary = [
        [_("Summary"), _("Amount (DKK)")],
        [_("Subscriptions and add-ons"), formats.amount(invoice.subscriptions_net)],
        [pgettext("telephone usage", "Usage"), formats.amount(invoice.usage_net)],
        [_("One-off fees"), formats.amount(invoice.one_off_net)],
        [_("Total excl. VAT"), formats.amount(invoice.net)],
        [_("VAT 25%"), formats.amount(invoice.vat)],
        [_("Total incl. VAT"), formats.amount(invoice.total)],
    ]
    story += [_money_table(summary, [120 * mm, 54 * mm], bold_last=True), Spacer(1, 4 * mm)]
    if not invoice.is_credit_note and invoice.total > 0:
        story.append(
            Paragraph(
                _(
                    "Please pay %(total)s by %(due)s to %(bank)s (IBAN %(iban)s, BIC %(bic)s), quoting invoice "
                    "number %(number)s, or with the FI payment line below."
                )
                % {
                    "total": formats.money(invoice.total),
                    "due": formats.date(invoice.due_date),
                    "bank": OPERATOR["bank"],
                    "iban": OPERATOR["iban"],
                    "bic": OPERATOR["bic"],
                    "number": invoice.number,
                },
                styles["body"],
            )
        )
        story.append(
            Paragraph(
                _("FI payment (card 71): %(line)s")
                % {
                    "line": f'<font name="Courier-Bold">{fi_payment_line(invoice.number, OPERATOR["fi_creditor"])}'
                    "</font>"
                },
                styles["body"],
            )
        )
    elif invoice.reason:
        story.append(Paragraph(_("Reason: %(reason)s") % {"reason": _escape(invoice.reason)}, styles["body"]))

    story.append(Paragraph(_("Specification per user"), styles["h2"]))
    header = (_("Description"), _("Quantity"), _("Amount (DKK)"))
    # Plain rows, not model instances: 10,000 users are 60,000 lines, and building a model
    # instance per line cost more than drawing it.
    lines: dict[int, list[tuple[str, tuple[str, str, str]]]] = defaultdict(list)
    line_rows = (
        InvoiceLine.objects.filter(section__invoice=invoice)
        .order_by("id")
        .values_list("section_id", "kind", "description", "quantity", "amount")
    )
    for section_id, kind, description, quantity, amount in line_rows.iterator(chunk_size=5000):
        lines[section_id].append(("line", (description, _quantity(kind, quantity), formats.amount(amount))))
    blocks = []
    for section_id, user_name, phone_number, total in invoice.sections.values_list(
        "id", "user_name", "phone_number", "total"
    ):  # ordered by user name, as the model says
        title_line = user_name + (f" · {formats.phone(phone_number)}" if phone_number else "")
        blocks.append(
            [
                ("user", (title_line, "", "")),
                *lines.pop(section_id, ()),
                ("total", (_("Total for %(user)s") % {"user": user_name}, "", formats.amount(total))),
            ]
        )
    story.append(Specification(header, blocks))
    doc.build(story, onFirstPage=letterhead, onLaterPages=letterhead, canvasmaker=PagedCanvas)
    return buffer.getvalue()


class PagedCanvas(Canvas):
    """Writes "Page n of N" on every page: pages are kept until the count is known, then drawn."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.saveState()
            self.setFont("Helvetica", 8)
            self.setFillColor(colors.grey)
            self.drawRightString(
                A4[0] - 18 * mm, 10 * mm, _("Page %(page)s of %(pages)s") % {"page": self._pageNumber, "pages": total}
            )
            self.restoreState()
            super().showPage()
            page = self._doc.Pages.pages[-1]
            if page.compression:  # Flate only: ReportLab would ASCII85-encode it too (slow, 25 % larger)
                page.Contents = PDFStream(content=page.stream, filters=[PDFZCompress])
        super().save()


class Specification(Flowable):
    """The per-user specification, drawn row by row and split across pages by hand.

    One platypus Table per user costs milliseconds each (10,000 users: far too slow); these
    rows have one height, so measuring and splitting are arithmetic. Each part shares the list
    of blocks and keeps its own start, end and height, so splitting a page costs only that
    page's rows. A user's block is kept on one page when it fits.
    """

    ROW = 11.0
    GAP = 6.0

    def __init__(
        self,
        header: tuple[str, str, str],
        blocks: list[list[tuple[str, tuple[str, str, str]]]],
        start: int = 0,
        end: int | None = None,
        height: float | None = None,
        texts: dict | None = None,
    ) -> None:
        super().__init__()
        self.header = header
        self.blocks = blocks
        self.texts = {} if texts is None else texts  # the cells' cache (_Cells), shared by the parts
        self.start = start
        self.end = len(blocks) if end is None else end
        self.body_height = (
            sum(self._height(blocks[i]) for i in range(self.start, self.end)) if height is None else height
        )

    def _height(self, block: list) -> float:
        return self.ROW * len(block) + self.GAP

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.height = self.ROW + self.body_height
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        room = available_height - self.ROW  # the column header repeats on every page
        first = self.blocks[self.start] if self.start < self.end else []
        if first and self._height(first) > room and self._height(first) <= FRAME_HEIGHT:
            return []  # not even the first user fits in what is left of this page: start on the next
        index, used = self.start, 0.0
        while index < self.end:
            needed = self._height(self.blocks[index])
            if needed > room - used:
                break
            used += needed
            index += 1
        if index < self.end and (index == self.start or self._height(self.blocks[index]) > FRAME_HEIGHT):
            # A block longer than a page: fill this page with its first rows and continue it.
            block = self.blocks[index]
            rows_that_fit = int((room - used - self.GAP) // self.ROW)
            if rows_that_fit >= 2:
                head, tail = block[:rows_that_fit], [("user", block[0][1]), *block[rows_that_fit:]]
                self.blocks[index : index + 1] = [head, tail]  # the caller's list grows by one block
                self.end += 1
                used += self._height(head)
                index += 1
                self.body_height += self._height(head) + self._height(tail) - self._height(block)
        if index == self.start:
            return []
        parts: list[Flowable] = [Specification(self.header, self.blocks, self.start, index, used, self.texts)]
        if index < self.end:
            parts.append(Specification(self.header, self.blocks, index, self.end, self.body_height - used, self.texts))
        return parts

    def draw(self) -> None:
        canvas = self.canv
        cell = _Cells(canvas, self.texts)
        width = self.width
        quantity_x = width - 40 * mm
        y = self.height - self.ROW + 3
        cell.font("Helvetica-Bold", 8)
        cell.draw(0, y, self.header[0])
        cell.draw(quantity_x, y, self.header[1], right=True)
        cell.draw(width, y, self.header[2], right=True)
        canvas.setStrokeColor(BRAND)
        canvas.setLineWidth(0.6)
        canvas.line(0, y - 3, width, y - 3)
        for index in range(self.start, self.end):
            for kind, (description, quantity, amount) in self.blocks[index]:
                y -= self.ROW
                if kind == "user":
                    canvas.setFillColor(LIGHT)
                    canvas.rect(0, y - 3, width, self.ROW, stroke=0, fill=1)
                    canvas.setFillColor(colors.black)
                    cell.font("Helvetica-Bold", 8.5)
                    cell.draw(2, y, description[:110])
                    continue
                if kind == "total":
                    canvas.setLineWidth(0.3)
                    canvas.line(0, y + self.ROW - 3, width, y + self.ROW - 3)
                cell.font("Helvetica-Bold" if kind == "total" else "Helvetica", 8)
                cell.draw(8, y, description[:100])
                cell.draw(quantity_x, y, quantity, right=True)
                cell.draw(width, y, amount, right=True)
            y -= self.GAP


class _Cells:
    """canvas.drawString / drawRightString for the specification's cells, with what they compute cached.

    Each cell is still a text object of its own, as drawString writes it, but its text operators (from
    ReportLab's encoder, which also switches to a substitution font for characters Helvetica lacks), its
    width and x position are computed once per distinct cell: descriptions, quantities and amounts repeat
    on every page, and the pure-Python encoder and number formatting were most of the rendering time.
    The cache belongs to one document, because the operators name that document's fonts.
    """

    def __init__(self, canvas: Canvas, cache: dict) -> None:
        self.canvas = canvas
        self.cache = cache
        self.current: tuple[str, float] | None = None

    def font(self, name: str, size: float) -> None:
        if self.current != (name, size):  # setting the same font again changes nothing
            self.canvas.setFont(name, size)
            self.current = (name, size)

    def draw(self, x: float, y: float, value: str, *, right: bool = False) -> None:
        canvas = self.canvas
        key = (canvas._fontname, canvas._fontsize, canvas._leading, value, x, right)
        entry = self.cache.get(key)
        if entry is None:
            left = x - stringWidth(value, canvas._fontname, canvas._fontsize) if right else x
            entry = self.cache[key] = (fp_str(left), canvas.beginText()._formatText(value))
        position = self.cache.get(y)  # the rows' heights repeat too (keys: floats here, tuples above)
        if position is None:
            position = self.cache[y] = fp_str(y)
        canvas._code.append(f"BT 1 0 0 1 {entry[0]} {position} Tm {entry[1]} T* ET")


LIGHT = colors.HexColor("#eef3f8")
TOP_MARGIN, BOTTOM_MARGIN = 30 * mm, 18 * mm
# Room for the specification on a page of its own (less the repeated column header).
FRAME_HEIGHT = A4[1] - TOP_MARGIN - BOTTOM_MARGIN - 2 * Specification.ROW


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
