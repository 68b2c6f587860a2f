"""The operator's staff pages: the port request queue and processing. Cross-company on purpose."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from audit.actor import Actor
from common.telecom import OPERATOR_LABELS
from companies.permissions import staff_view
from numbering import actions, selectors
from numbering.forms import CompleteForm, RejectForm, ScheduleForm, StaffCommentForm, StaffFilterForm
from numbering.models import PortRequest
from numbering.views import PAGE_SIZE, authorisation_response


@staff_view
def queue(request: HttpRequest) -> HttpResponse:
    form = StaffFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(selectors.staff_queue(status=status or None), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "numbering/staff/queue.html", {"page": page, "filter_form": form})


def _context(port_request: PortRequest, **forms: Any) -> dict[str, Any]:
    numbers = [n.number for n in port_request.numbers.all()]
    return {
        "port_request": port_request,
        "operator": OPERATOR_LABELS.get(port_request.current_operator, port_request.current_operator),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "schedule_form": forms.get("schedule_form") or ScheduleForm(initial={"date": port_request.desired_date}),
        "complete_form": forms.get("complete_form") or CompleteForm(numbers=numbers),
        "comment_form": forms.get("comment_form") or StaffCommentForm(),
        "can_accept": PortRequest.Status.PENDING in actions.TRANSITIONS[port_request.status],
        "can_reject": PortRequest.Status.REJECTED in actions.TRANSITIONS[port_request.status],
        "can_schedule": port_request.status in (PortRequest.Status.SUBMITTED, PortRequest.Status.PENDING),
        "can_complete": PortRequest.Status.COMPLETED in actions.TRANSITIONS[port_request.status],
    }


@staff_view
def port_detail(request: HttpRequest, port_id: int) -> HttpResponse:
    port_request = get_object_or_404(selectors.port_request_detail(company=None, staff=True), pk=port_id)
    if request.method != "POST":
        return render(request, "numbering/staff/port_detail.html", _context(port_request))
    by = Actor.from_request(request)
    action = request.POST.get("action")
    forms: dict[str, Any] = {}
    try:
        if action == "accept":
            actions.accept_port_request(port_request, by=by)
        elif action == "reject":
            forms["reject_form"] = reject_form = RejectForm(request.POST)
            if reject_form.is_valid():
                actions.reject_port_request(port_request, reason=reject_form.cleaned_data["reason"], by=by)
        elif action == "schedule":
            forms["schedule_form"] = schedule_form = ScheduleForm(request.POST)
            if schedule_form.is_valid():
                actions.schedule_port_request(port_request, at=schedule_form.scheduled_at(), by=by)
        elif action == "complete":
            numbers = [n.number for n in port_request.numbers.all()]
            forms["complete_form"] = complete_form = CompleteForm(request.POST, numbers=numbers)
            if complete_form.is_valid():
                actions.complete_port_request(
                    port_request,
                    ported=complete_form.cleaned_data["ported"],
                    note=complete_form.cleaned_data["note"],
                    by=by,
                )
        elif action == "comment":
            forms["comment_form"] = comment_form = StaffCommentForm(request.POST)
            if comment_form.is_valid():
                actions.add_port_comment(
                    port_request,
                    body=comment_form.cleaned_data["body"],
                    internal=comment_form.cleaned_data["internal"],
                    from_staff=True,
                    by=by,
                )
        else:
            messages.error(request, _("Unknown action."))
            return redirect("numbers:staff_port", port_id=port_request.pk)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("numbers:staff_port", port_id=port_request.pk)
    if any(f is not None and f.errors for f in forms.values()):
        port_request.refresh_from_db()
        return render(request, "numbering/staff/port_detail.html", _context(port_request, **forms), status=400)
    messages.success(request, _("Saved."))
    return redirect("numbers:staff_port", port_id=port_request.pk)


@staff_view
def port_authorisation(request: HttpRequest, port_id: int) -> HttpResponseBase:
    return authorisation_response(get_object_or_404(PortRequest, pk=port_id))
