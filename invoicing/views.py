from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.actor import Actor
from common import formats, spreadsheet
from common.forms import errors_to, errors_to_messages
from companies.http import require_company
from companies.permissions import area_view, cost_centre_limit, staff_view
from invoicing import actions, selectors, staff_actions
from invoicing.chart import stacked_bar_chart
from invoicing.forms import (
    EInvoiceSettingsForm,
    EInvoiceSignUpForm,
    InvoiceFilterForm,
    PaymentForm,
)
from invoicing.models import (
    EInvoiceDelivery,
    EInvoiceRecipient,
    EInvoiceSettings,
    FileImport,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentImport,
    UsageImport,
    UsageRecord,
)
from invoicing.reader_text import localise_section
from invoicing.tasks import ensure_pdf
from registry.scoping import get_for_company

INVOICES_PER_PAGE = 25
USERS_PER_PAGE = 50


def _invoice(request: HttpRequest, invoice_id: int) -> Invoice:
    company = require_company(request)
    invoice = get_for_company(
        selectors.with_credited(Invoice.objects.select_related("credited_invoice")), company, pk=invoice_id
    )
    # The request's company object carries a cost-centre limit: selectors.sections cuts the lines to it.
    invoice.company = company
    return invoice


@area_view("invoice")
def index(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    form = InvoiceFilterForm(request.GET or None, years=selectors.invoice_years(company=company))
    year, status = None, ""
    if form.is_bound and form.is_valid():
        year, status = form.cleaned_data["year"], form.cleaned_data["status"]
    page = Paginator(selectors.invoices(company=company, year=year, status=status), INVOICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    limited = cost_centre_limit(request)
    # The monthly totals are the whole company's: an admin limited to cost centres does not see them.
    bars = [] if limited else selectors.monthly_totals(company=company, today=timezone.localdate())
    context = {
        "form": form,
        "page": page,
        "chart": stacked_bar_chart(bars) if bars else None,
        "bars": bars,
        "has_invoices": any(b.total for b in bars) or page.paginator.count,
        "limited": limited,
    }
    if getattr(request, "htmx", False):
        return render(request, "invoicing/index.html#rows", context)
    return render(request, "invoicing/index.html", context)


def _user_rows(sections: Iterable[Any], *, invoice: Invoice) -> list[dict[str, Any]]:
    """Per user: fee, add-ons, and usage per type, ready for the table and the CSV."""
    rows = []
    for section in sections:
        localise_section(section, invoice.language)  # the product in the reader's language
        row: dict[str, Any] = {
            "section": section,
            "fee": 0,
            "add_ons": 0,
            "one_off": 0,
            "usage": {},
            "lines": [],
            "late_usage": 0,
        }
        for line in section.lines.all():
            row["lines"].append(line)
            if line.kind == InvoiceLine.Kind.SUBSCRIPTION:
                row["fee"] += line.amount
            elif line.kind == InvoiceLine.Kind.ADD_ON:
                row["add_ons"] += line.amount
            elif line.kind == InvoiceLine.Kind.ONE_OFF:
                row["one_off"] += line.amount
            elif line.kind == InvoiceLine.Kind.LATE_USAGE:  # an earlier month's: listed under Lines
                row["late_usage"] += line.amount
            else:
                row["usage"][line.usage_type] = line
        row["minutes"] = row["usage"].get(UsageRecord.Type.VOICE)
        row["sms"] = row["usage"].get(UsageRecord.Type.SMS)
        row["data"] = row["usage"].get(UsageRecord.Type.DATA)
        row["roaming"] = row["usage"].get(UsageRecord.Type.ROAMING)
        row["premium"] = row["usage"].get(UsageRecord.Type.PREMIUM)
        row["usage_total"] = sum(line.amount for line in row["usage"].values()) + row["late_usage"]
        rows.append(row)
    return rows


@area_view("invoice")
def detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    search = request.GET.get("q", "").replace("\x00", "").strip()[:100]  # PostgreSQL refuses NUL bytes
    page = Paginator(selectors.sections(invoice=invoice, search=search), USERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    limited = cost_centre_limit(request)
    context = {
        "invoice": invoice,
        "page": page,
        "rows": _user_rows(page.object_list, invoice=invoice),
        "search": search,
        "deliveries": [] if limited else list(invoice.deliveries.order_by("created_at", "id")),
        "limited": limited,
    }
    if getattr(request, "htmx", False):
        return render(request, "invoicing/detail.html#users", context)
    if limited:
        # Only their cost centres' lines: their total, not the invoice's, payments or deliveries.
        context["limited_total"] = selectors.sections_total(invoice=invoice)
        context["payments"], context["failed_deliveries"] = [], []
        return render(request, "invoicing/detail.html", context)
    context["payments"] = list(selectors.payments(invoice=invoice))
    context["failed_deliveries"] = list(
        selectors.deliveries(company=invoice.company).filter(invoice=invoice, status=EInvoiceDelivery.Status.FAILED)
    )
    return render(request, "invoicing/detail.html", context)


@area_view("invoice")
def details_csv(request: HttpRequest, invoice_id: int) -> StreamingHttpResponse:
    invoice = _invoice(request, invoice_id)
    search = request.GET.get("q", "").replace("\x00", "").strip()[:100]  # PostgreSQL refuses NUL bytes
    writer = spreadsheet.row_writer()

    def rows() -> Iterator[str]:
        yield spreadsheet.BOM + writer.writerow(
            [
                _("User"),
                _("Phone number"),
                _("Subscription type"),
                _("Cost centre"),
                _("Kind"),
                _("Description"),
                _("Quantity"),
                _("Amount excl. VAT (DKK)"),
            ]
        )
        kinds = {value: str(label) for value, label in InvoiceLine.Kind.choices}
        # Iterate in chunks so a 10,000-user invoice streams in constant memory.
        sections = selectors.sections(invoice=invoice, search=search)
        paginator = Paginator(sections, 1000)
        for number in paginator.page_range:
            for section in paginator.page(number).object_list:
                localise_section(section, invoice.language)  # names and line texts in the admin's language
                for line in section.lines.all():
                    yield writer.writerow(
                        [
                            spreadsheet.safe_cell(section.user_name),
                            spreadsheet.phone_cell(section.phone_number),
                            spreadsheet.safe_cell(section.product_display),  # type: ignore[attr-defined]
                            spreadsheet.safe_cell(section.cost_centre),
                            kinds[line.kind],
                            spreadsheet.safe_cell(line.display_description),  # type: ignore[attr-defined]
                            formats.spreadsheet_quantity(line.quantity),
                            formats.spreadsheet_amount(line.amount),
                        ]
                    )

    language = translation.get_language()

    def stream() -> Iterator[str]:
        # The body is produced after the view has returned: keep the page's language for headers and kinds.
        with translation.override(language):
            yield from rows()

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.number}-details.csv"'
    return response


@area_view("invoice", whole_company=True)
def pdf(request: HttpRequest, invoice_id: int) -> FileResponse:
    invoice = ensure_pdf(_invoice(request, invoice_id))
    return FileResponse(
        invoice.pdf.open("rb"), as_attachment=True, filename=f"{invoice.file_name}.pdf", content_type="application/pdf"
    )


@area_view("invoice", whole_company=True)
def ubl(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    from invoicing.ubl import invoice_xml

    response = HttpResponse(invoice_xml(invoice), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{invoice.file_name}.xml"'
    return response


@area_view("invoice", whole_company=True)
def oioubl(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    from invoicing.oioubl import oioubl_xml

    response = HttpResponse(oioubl_xml(invoice), content_type="application/xml")
    name = f"{invoice.file_name}-oioubl.xml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _confirm_url(request: HttpRequest) -> Callable[[str], str]:
    return lambda token: request.build_absolute_uri(reverse("invoice:einvoice:confirm", args=[token]))


@area_view("invoice", whole_company=True)
def einvoice(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    form = EInvoiceSignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_to(form):
            added = actions.sign_up_einvoice(
                company=company,
                addresses=form.cleaned_data["addresses"],
                confirm_url=_confirm_url(request),
                language=request.LANGUAGE_CODE,
                by=Actor.from_request(request),
            )
            messages.success(
                request, _("We sent a confirmation link to %(emails)s.") % {"emails": ", ".join(r.email for r in added)}
            )
            return redirect("invoice:einvoice")
    deliveries = Paginator(selectors.deliveries(company=company), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "invoicing/einvoice.html",
        {
            "form": form,
            "recipients": selectors.recipients(company=company),
            "page": deliveries,
            "settings_form": EInvoiceSettingsForm(instance=EInvoiceSettings.of(company)),
        },
    )


@area_view("invoice", whole_company=True)
@require_POST
def einvoice_references(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    form = EInvoiceSettingsForm(request.POST, instance=EInvoiceSettings.of(company))
    if form.is_valid():
        actions.update_einvoice_settings(
            company=company,
            by=Actor.from_request(request),
            **{
                key: form.cleaned_data[key]
                for key in ("order_reference", "contact_reference", "accounting_cost", "channel")
            },
        )
        messages.success(request, _("Your e-invoice settings are saved."))
        return redirect("invoice:einvoice")
    deliveries = Paginator(selectors.deliveries(company=company), 20).get_page(None)
    return render(
        request,
        "invoicing/einvoice.html",
        {
            "form": EInvoiceSignUpForm(),
            "recipients": selectors.recipients(company=company),
            "page": deliveries,
            "settings_form": form,
        },
        status=400,
    )


@area_view("invoice", whole_company=True)
def einvoice_remove(request: HttpRequest, recipient_id: int) -> HttpResponse:
    recipient = get_for_company(EInvoiceRecipient.objects.all(), require_company(request), pk=recipient_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    actions.remove_einvoice_recipient(recipient=recipient, by=Actor.from_request(request))
    messages.success(request, _("%(email)s no longer receives invoices.") % {"email": recipient.email})
    return redirect("invoice:einvoice")


@area_view("invoice", whole_company=True)
def einvoice_resend(request: HttpRequest, recipient_id: int) -> HttpResponse:
    recipient = get_for_company(EInvoiceRecipient.objects.all(), require_company(request), pk=recipient_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if recipient.is_confirmed:
        messages.info(request, _("%(email)s is already confirmed.") % {"email": recipient.email})
    else:
        from invoicing.tasks import send_einvoice_confirmation

        url = _confirm_url(request)(actions.confirmation_token(recipient))
        send_einvoice_confirmation.enqueue(recipient.pk, url, request.LANGUAGE_CODE)
        messages.success(request, _("We sent a new confirmation link to %(email)s.") % {"email": recipient.email})
    return redirect("invoice:einvoice")


@area_view("invoice", whole_company=True)
def einvoice_delivery_resend(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = get_for_company(
        EInvoiceDelivery.objects.select_related("invoice"), require_company(request), pk=delivery_id
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with errors_to_messages(request):
        actions.resend_einvoice(delivery=delivery, by=Actor.from_request(request))
        messages.success(
            request,
            _("Invoice %(number)s is being sent to %(email)s again.")
            % {"number": delivery.invoice.number, "email": delivery.email},
        )
    next_url = request.POST.get("next", "")
    if next_url == "invoice":
        return redirect("invoice:detail", invoice_id=delivery.invoice_id)
    return redirect("invoice:einvoice")


@area_view("invoice", whole_company=True)
@require_POST
def einvoice_opt_out(request: HttpRequest) -> HttpResponse:
    with errors_to_messages(request):
        actions.opt_out_einvoice(company=require_company(request), by=Actor.from_request(request))
        messages.success(request, _("Your company no longer receives invoices by e-mail."))
    return redirect("invoice:einvoice")


def einvoice_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST confirms (mail scanners follow links with GET)."""
    recipient = actions.recipient_for_token(token)
    if recipient is None:
        return render(request, "invoicing/einvoice_confirm.html", {"invalid": True}, status=404)
    if request.method == "POST":
        by = Actor.from_request(request) if request.user.is_authenticated else Actor.system(recipient.email)
        actions.confirm_einvoice(recipient=recipient, by=by)
        return render(request, "invoicing/einvoice_confirm.html", {"recipient": recipient, "done": True})
    return render(request, "invoicing/einvoice_confirm.html", {"recipient": recipient})


einvoice_confirm.public = True  # type: ignore[attr-defined]


@staff_view
def staff_index(request: HttpRequest) -> HttpResponse:
    forms = staff_actions.StaffForms()
    handler = staff_actions.HANDLERS.get(request.POST.get("action", "")) if request.method == "POST" else None
    if handler is not None:
        done = handler(forms, request.POST, request.FILES, Actor.from_request(request))
        if done is not None:
            if done.message:
                messages.success(request, done.message)
            return redirect(done.url)
    recent = Invoice.objects.unscoped().select_related("company").order_by("-number")[:20]
    return render(
        request,
        "invoicing/staff.html",
        {
            "billing_form": forms.billing,
            "upload_form": forms.usage,
            "credit_form": forms.credit,
            "import_errors": forms.import_errors,
            "recent": recent,
            "imports": UsageImport.objects.all()[:10],
            "payment_form": forms.payment,
            "bank_form": forms.bank,
            "bank_errors": forms.bank_errors,
            "payments": Payment.objects.unscoped()
            .select_related("invoice", "company")
            .order_by("-created_at", "-id")[:20],
            "payment_imports": PaymentImport.objects.all()[:10],
            "overdue_count": Invoice.objects.unscoped().filter(status=Invoice.Status.OVERDUE).count(),
        },
    )


@staff_view
def staff_invoice(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """Staff: one invoice of any company, its payments, and a form to register one."""
    queryset = selectors.with_credited(Invoice.objects.unscoped().select_related("company", "credited_invoice"))
    invoice = queryset.filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404
    form = PaymentForm(invoice=invoice, prefix="payment")
    if request.method == "POST":
        form = PaymentForm(request.POST, invoice=invoice, prefix="payment")
        done = staff_actions.register_payment(form, Actor.from_request(request))
        if done is not None:
            messages.success(request, done)
            return redirect("invoice:staff_invoice", invoice_id=invoice.pk)
    return render(
        request,
        "invoicing/staff_invoice.html",
        {"invoice": invoice, "form": form, "payments": list(selectors.payments(invoice=invoice))},
    )


def _import_progress(request: HttpRequest, upload: FileImport | None) -> HttpResponse:
    """An import's status, rows read and errors; the fragment polls itself until the import ends."""
    if upload is None:
        raise Http404
    kind = "usage" if isinstance(upload, UsageImport) else "payments"
    context = {"upload": upload, "kind": kind, "poll_url": request.path}
    if getattr(request, "htmx", False):
        return render(request, "invoicing/staff_import.html#progress", context)
    return render(request, "invoicing/staff_import.html", context)


@staff_view
def staff_usage_import(request: HttpRequest, usage_import_id: int) -> HttpResponse:
    return _import_progress(request, UsageImport.objects.filter(pk=usage_import_id).first())


@staff_view
def staff_payment_import(request: HttpRequest, payment_import_id: int) -> HttpResponse:
    return _import_progress(request, PaymentImport.objects.filter(pk=payment_import_id).first())
