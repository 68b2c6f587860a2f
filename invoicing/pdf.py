"""The invoice PDF (ReportLab), rendered once at issue and stored.

Long specifications are many small tables (one per user) rather than one big
Table: ReportLab's layout cost grows badly with one huge table.
"""

import io

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from invoicing.models import Invoice, InvoiceLine
from invoicing.money import format_kr

OPERATOR = {
    "name": "Nordic Mobile A/S",
    "address": "Telegade 1, 2300 København S",
    "cvr": "12345674",
    "bank": "Reg. 1234 konto 0012345678",
    "iban": "DK5000400440116243",
    "email": "faktura@operator.example",
}
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
        ("ALIGN", (-2, 0), (-2, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    if bold_last:
        style += [("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8.5), ("LINEABOVE", (0, -1), (-1, -1), 0.6, BRAND)]
    table.setStyle(TableStyle(style))
    return table


def _quantity(line: InvoiceLine) -> str:
    if line.kind == InvoiceLine.Kind.USAGE:
        return f"{line.quantity.normalize():f}".replace(".", ",")
    if line.kind in (InvoiceLine.Kind.SUBSCRIPTION, InvoiceLine.Kind.ADD_ON):
        return _("%(days)s days") % {"days": int(line.quantity)}
    return str(int(line.quantity))


def render_invoice_pdf(invoice: Invoice) -> bytes:
    with translation.override(invoice.language):
        return _render(invoice)


def _render(invoice: Invoice) -> bytes:
    company = invoice.company
    styles = _styles()
    buffer = io.BytesIO()
    title = _("Credit note") if invoice.is_credit_note else _("Invoice")
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=30 * mm, bottomMargin=18 * mm,
                            title=f"{title} {invoice.number}", author=OPERATOR["name"])

    def letterhead(canvas, document) -> None:
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
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, _("Page %(page)s") % {"page": document.page})
        canvas.restoreState()

    customer = [f"<b>{_escape(company.name)}</b>", *map(_escape, company.address_lines),
                f"{_('CVR number')}: {company.cvr}"]
    if company.ean:
        customer.append(f"{_('EAN number')}: {company.ean}")
    facts = [
        [_("Invoice number"), str(invoice.number)],
        [_("Billing period"), invoice.period],
        [_("Issue date"), date_format(invoice.issue_date, "SHORT_DATE_FORMAT")],
        [_("Due date"), date_format(invoice.due_date, "SHORT_DATE_FORMAT")],
    ]
    if invoice.credited_invoice_id:
        facts.append([_("Credits invoice"), str(invoice.credited_invoice.number)])
    head = Table(
        [[Paragraph("<br/>".join(customer), styles["body"]),
          Table(facts, colWidths=[32 * mm, 34 * mm])]],
        colWidths=[100 * mm, 74 * mm],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [Paragraph(title, styles["h1"]), head, Spacer(1, 6 * mm)]

    summary = [
        [_("Summary"), _("Amount (DKK)")],
        [_("Subscriptions and add-ons"), format_kr(invoice.subscriptions_net)],
        [pgettext("telephone usage", "Usage"), format_kr(invoice.usage_net)],
        [_("One-off fees"), format_kr(invoice.one_off_net)],
        [_("Total excl. VAT"), format_kr(invoice.net)],
        [_("VAT 25%"), format_kr(invoice.vat)],
        [_("Total incl. VAT"), format_kr(invoice.total)],
    ]
    story += [_money_table(summary, [120 * mm, 54 * mm], bold_last=True), Spacer(1, 4 * mm)]
    if not invoice.is_credit_note:
        story.append(Paragraph(
            _("Please pay %(total)s DKK by %(due)s to %(bank)s (IBAN %(iban)s), quoting invoice number %(number)s.")
            % {"total": format_kr(invoice.total), "due": date_format(invoice.due_date, "SHORT_DATE_FORMAT"),
               "bank": OPERATOR["bank"], "iban": OPERATOR["iban"], "number": invoice.number},
            styles["body"]))
    elif invoice.reason:
        story.append(Paragraph(_("Reason: %(reason)s") % {"reason": invoice.reason}, styles["body"]))

    story.append(Paragraph(_("Specification per user"), styles["h2"]))
    header = [_("Description"), _("Quantity"), _("Amount (DKK)")]
    widths = [110 * mm, 30 * mm, 34 * mm]
    for section in invoice.sections.prefetch_related("lines"):
        title_line = section.user_name + (f" · {section.phone_number}" if section.phone_number else "")
        rows = [header]
        rows += [[line.description, _quantity(line), format_kr(line.amount)] for line in section.lines.all()]
        rows.append([_("Total for %(user)s") % {"user": section.user_name}, "", format_kr(section.total)])
        story.append(KeepTogether([Paragraph(f"<b>{_escape(title_line)}</b>", styles["body"]),
                                   _money_table(rows, widths, bold_last=True), Spacer(1, 3 * mm)]))
    doc.build(story, onFirstPage=letterhead, onLaterPages=letterhead)
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
