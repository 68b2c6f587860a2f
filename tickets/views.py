from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import admins
from audit.actor import Actor
from common.forms import errors_to, errors_to_messages
from companies.http import PortalRequest, require_company
from companies.models import AccessRequest, Company
from companies.permissions import AreaPolicy, area_view, company_view, staff_view
from registry.areas import registry
from registry.scoping import get_for_company
from tickets import access, actions, selectors
from tickets.forms import (
    AccessRequestForm,
    AttachForm,
    QueueFilterForm,
    ReopenForm,
    ReplyForm,
    StaffReplyForm,
    StatusForm,
    TicketForm,
)
from tickets.models import Category, Status, Ticket, TicketAttachment


def list_context(request: HttpRequest) -> dict[str, Any]:
    """The "My support tickets" list, shared by the overview section and the area page."""
    state = request.GET.get("tstate", "open")
    if state not in ("open", "closed", "all"):
        state = "open"
    query = request.GET.get("tq", "").replace("\x00", "")[:100]  # PostgreSQL refuses NUL bytes
    user = cast(PortalRequest, request).user
    tickets = selectors.company_tickets(company=require_company(request), user=user, state=state, query=query)
    page = Paginator(tickets, settings.PAGE_SIZE).get_page(request.GET.get("tpage"))
    for ticket in page.object_list:
        ticket.unread = selectors.has_unread_reply(ticket)  # type: ignore[attr-defined]
    return {"tickets_page": page, "tickets_state": state, "tickets_query": query}


@area_view("tickets")
def index(request: PortalRequest) -> HttpResponse:
    return render(request, "tickets/index.html", list_context(request))


@area_view("tickets")
def create(request: PortalRequest) -> HttpResponse:
    company = require_company(request)
    if request.method == "POST":
        form = TicketForm(request.POST, request.FILES, company=company)
        if form.is_valid():
            data = form.cleaned_data
            with errors_to(form):
                ticket, created = actions.create_ticket(
                    company=company,
                    subject=data["subject"],
                    description=data["description"],
                    category=data["category"],
                    priority=data["priority"],
                    related_subscription=data["related_subscription"],
                    related_reference=data["related_reference"],
                    related_invoice=data["related_invoice"],
                    related_port_request=data["related_port_request"],
                    attachments=data["attachments"],
                    submission_token=data["submission_token"],
                    by=Actor.from_request(request),
                )
                if created:
                    messages.success(request, _("Support ticket %(number)s was created.") % {"number": ticket.number})
                return redirect("tickets:detail", ticket_id=ticket.pk)
    else:
        form = _prefilled_ticket_form(request.GET, company)
    return render(request, "tickets/create.html", {"form": form})


def _prefilled_ticket_form(query: QueryDict, company: Company) -> TicketForm:
    """A new ticket's form, filled in from links elsewhere: ``?category=``, ``?area=`` (asks for access),
    ``?invoice=`` or ``?port_request=`` ("Ask us about this"; only the active company's are chosen)."""
    initial: dict[str, Any] = {}
    if query.get("category") in Category.values:
        initial["category"] = query["category"]
    area_key = query.get("area", "")
    if area_key in registry.keys():
        area = registry.get(area_key)
        initial["category"] = Category.ACCESS
        initial["subject"] = _("Access to %(area)s") % {"area": area.title}
        initial["description"] = _("Please give me access to %(area)s.") % {"area": area.title}
    form = TicketForm(initial=initial, company=company)
    for param, field, category in (
        ("invoice", "related_invoice", Category.INVOICE),
        ("port_request", "related_port_request", Category.NUMBERS),
    ):
        value = query.get(param, "")
        if value.isdigit():
            chosen = form.fields[field].queryset.filter(pk=int(value)).first()  # type: ignore[attr-defined]
            if chosen is not None:
                form.initial[field] = chosen.pk
                form.initial.setdefault("category", category)
    return form


def _detail_context(request: PortalRequest, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "attach_form": forms.get("attach_form") or AttachForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
    }


def _customer_ticket(request: PortalRequest, ticket_id: int) -> Ticket:
    company = require_company(request)
    return get_for_company(selectors.customer_ticket_detail(company=company), company, pk=ticket_id)


@area_view("tickets")
def detail(request: PortalRequest, ticket_id: int) -> HttpResponse:
    ticket = _customer_ticket(request, ticket_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    response = render(request, "tickets/detail.html", _detail_context(request, ticket))
    actions.mark_read(ticket, user=request.user)
    return response


@area_view("tickets")
def reply(request: PortalRequest, ticket_id: int) -> HttpResponse:
    ticket = _customer_ticket(request, ticket_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        with errors_to(form):
            actions.reply_as_customer(
                ticket,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                by=Actor.from_request(request),
            )
            messages.success(request, _("Your reply was sent."))
            return redirect("tickets:detail", ticket_id=ticket.pk)
    return render(request, "tickets/detail.html", _detail_context(request, ticket, reply_form=form), status=400)


@area_view("tickets")
def attach(request: PortalRequest, ticket_id: int) -> HttpResponse:
    ticket = _customer_ticket(request, ticket_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        with errors_to(form):
            actions.add_attachments(
                ticket, attachments=form.cleaned_data["attachments"], by=Actor.from_request(request)
            )
            messages.success(request, _("The files were added."))
            return redirect("tickets:detail", ticket_id=ticket.pk)
    return render(request, "tickets/detail.html", _detail_context(request, ticket, attach_form=form), status=400)


@area_view("tickets")
def close(request: PortalRequest, ticket_id: int) -> HttpResponse:
    ticket = _customer_ticket(request, ticket_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with errors_to_messages(request):
        actions.close_ticket(ticket, by=Actor.from_request(request))
        messages.success(request, _("The ticket was closed."))
    return redirect("tickets:detail", ticket_id=ticket.pk)


@area_view("tickets")
def reopen(request: PortalRequest, ticket_id: int) -> HttpResponse:
    ticket = _customer_ticket(request, ticket_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ReopenForm(request.POST)
    if form.is_valid():
        with errors_to_messages(request):
            actions.reopen_ticket(ticket, reason=form.cleaned_data["reason"], by=Actor.from_request(request))
            messages.success(request, _("The ticket was reopened."))
        return redirect("tickets:detail", ticket_id=ticket.pk)
    return render(request, "tickets/detail.html", _detail_context(request, ticket, reopen_form=form), status=400)


def _file_response(attachment: TicketAttachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # FileResponse writes an RFC 5987 filename* for non-ASCII names.
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@area_view("tickets")
def attachment(request: PortalRequest, attachment_id: int) -> HttpResponseBase:
    company = require_company(request)
    found = get_for_company(selectors.customer_attachments(company=company), company, pk=attachment_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _file_response(found)


@area_view("tickets")
def message(request: PortalRequest, message_id: int) -> HttpResponse:
    company = require_company(request)
    found = get_for_company(selectors.customer_messages(company=company), company, pk=message_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return redirect(reverse("tickets:detail", kwargs={"ticket_id": found.ticket_id}) + f"#message-{found.pk}")


@company_view
def request_access(request: PortalRequest) -> HttpResponse:
    """Lets any admin of the company, even without the tickets area, ask for access.

    It can only create an Access ticket; nothing else of the area is reachable.
    """
    policy = AreaPolicy(request.membership)
    areas = access.requestable_areas(policy)
    if not areas:
        messages.info(request, _("You already have full access to every area."))
        return redirect("portal:overview")
    if request.method != "POST":
        wanted = request.GET.get("area", "")
        form = AccessRequestForm(areas=areas, initial={"area": wanted} if wanted in dict(areas) else {})
        return render(request, "tickets/request_access.html", {"form": form})
    form = AccessRequestForm(request.POST, areas=areas)
    if form.is_valid():
        with errors_to(form):
            ticket = access.request_access(
                company=require_company(request),
                policy=policy,
                area_key=form.cleaned_data["area"],
                message=form.cleaned_data["message"],
                submission_token=form.cleaned_data["submission_token"],
                by=Actor.from_request(request),
            )
            if isinstance(ticket, AccessRequest):
                approvers = admins.approvers(ticket.membership, area=ticket.area, full=ticket.full)
                return render(request, "tickets/request_access_done.html", {"approvers": approvers})
            if policy.can_view("tickets"):
                messages.success(request, _("Support ticket %(number)s was created.") % {"number": ticket.number})
                return redirect("tickets:detail", ticket_id=ticket.pk)
            return render(request, "tickets/request_access_done.html", {"ticket": ticket})
    return render(request, "tickets/request_access.html", {"form": form})


# Staff pages: every company's tickets (deliberately not scoped).


@staff_view
def staff_queue(request: PortalRequest) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    form = QueueFilterForm(request.GET or {"status": "open"})
    data = form.cleaned_data if form.is_valid() else {}
    company = data.get("company")
    tickets = selectors.staff_queue(
        status=data.get("status", ""),
        category=data.get("category", ""),
        company_id=company.pk if company else None,
        assignee=data.get("assignee", ""),
        query=data.get("q", ""),
        staff_user=request.user,
    )
    page = Paginator(tickets, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tickets/staff/queue.html", {"form": form, "page": page})


def _staff_ticket(ticket_id: int) -> Ticket:
    return get_object_or_404(selectors.staff_ticket_detail(), pk=ticket_id)


def _staff_context(ticket: Ticket, **forms: Any) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "reply_form": forms.get("reply_form") or StaffReplyForm(),
        "status_form": forms.get("status_form") or StatusForm(ticket=ticket),
    }


@staff_view
def staff_detail(request: PortalRequest, ticket_id: int) -> HttpResponse:
    ticket = _staff_ticket(ticket_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render(request, "tickets/staff/detail.html", _staff_context(ticket))


@staff_view
def staff_assign(request: PortalRequest, ticket_id: int) -> HttpResponse:
    ticket = _staff_ticket(ticket_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    assignee = None if request.POST.get("unassign") else request.user
    actions.assign_ticket(ticket, assignee=assignee, by=Actor.from_request(request))
    messages.success(request, _("The ticket was assigned to you.") if assignee else _("The ticket was unassigned."))
    return redirect("tickets:staff_detail", ticket_id=ticket.pk)


@staff_view
def staff_reply(request: PortalRequest, ticket_id: int) -> HttpResponse:
    ticket = _staff_ticket(ticket_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = StaffReplyForm(request.POST, request.FILES)
    if form.is_valid():
        with errors_to(form):
            actions.reply_as_staff(
                ticket,
                body=form.cleaned_data["body"],
                internal=form.cleaned_data["internal"],
                attachments=form.cleaned_data["attachments"],
                by=Actor.from_request(request),
            )
            messages.success(
                request,
                _("The internal note was saved.")
                if form.cleaned_data["internal"]
                else _("Your reply was sent to the customer."),
            )
            return redirect("tickets:staff_detail", ticket_id=ticket.pk)
    return render(request, "tickets/staff/detail.html", _staff_context(ticket, reply_form=form), status=400)


@staff_view
def staff_status(request: PortalRequest, ticket_id: int) -> HttpResponse:
    ticket = _staff_ticket(ticket_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = StatusForm(request.POST, ticket=ticket)
    if form.is_valid():
        with errors_to(form):
            actions.change_status(
                ticket,
                to_status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                seen_status=form.cleaned_data["seen_status"],
                by=Actor.from_request(request),
            )
            messages.success(
                request, _("The status is now %(status)s.") % {"status": Status(form.cleaned_data["status"]).label}
            )
            return redirect("tickets:staff_detail", ticket_id=ticket.pk)
    return render(request, "tickets/staff/detail.html", _staff_context(ticket, status_form=form), status=400)


@staff_view
def staff_attachment(request: PortalRequest, attachment_id: int) -> HttpResponseBase:
    found = get_object_or_404(TicketAttachment, pk=attachment_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _file_response(found)
