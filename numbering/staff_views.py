"""The operator's staff pages: the port request queue and processing. Cross-company on purpose."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from audit.actor import Actor
from common.forms import errors_to_messages
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


# Each staff action on a port request: binds its form (if it has one) and, when valid, runs the action.
# It returns {context name: form} for the page to show again with the form's errors.
_Handler = Callable[[HttpRequest, PortRequest, Actor], dict[str, Any]]


def _accept(request: HttpRequest, port_request: PortRequest, by: Actor) -> dict[str, Any]:
    actions.accept_port_request(port_request, by=by)
    return {}


def _reject(request: HttpRequest, port_request: PortRequest, by: Actor) -> dict[str, Any]:
    form = RejectForm(request.POST)
    if form.is_valid():
        actions.reject_port_request(port_request, reason=form.cleaned_data["reason"], by=by)
    return {"reject_form": form}


def _schedule(request: HttpRequest, port_request: PortRequest, by: Actor) -> dict[str, Any]:
    form = ScheduleForm(request.POST)
    if form.is_valid():
        actions.schedule_port_request(port_request, at=form.scheduled_at(), by=by)
    return {"schedule_form": form}


def _complete(request: HttpRequest, port_request: PortRequest, by: Actor) -> dict[str, Any]:
    form = CompleteForm(request.POST, numbers=[n.number for n in port_request.numbers.all()])
    if form.is_valid():
        actions.complete_port_request(
            port_request, ported=form.cleaned_data["ported"], note=form.cleaned_data["note"], by=by
        )
    return {"complete_form": form}


def _comment(request: HttpRequest, port_request: PortRequest, by: Actor) -> dict[str, Any]:
    form = StaffCommentForm(request.POST)
    if form.is_valid():
        actions.add_port_comment(
            port_request,
            body=form.cleaned_data["body"],
            internal=form.cleaned_data["internal"],
            from_staff=True,
            by=by,
        )
    return {"comment_form": form}


STAFF_ACTIONS: dict[str, _Handler] = {
    "accept": _accept,
    "reject": _reject,
    "schedule": _schedule,
    "complete": _complete,
    "comment": _comment,
}


@staff_view
def port_detail(request: HttpRequest, port_id: int) -> HttpResponse:
    port_request = get_object_or_404(selectors.port_request_detail(company=None, staff=True), pk=port_id)
    if request.method != "POST":
        return render(request, "numbering/staff/port_detail.html", _context(port_request))
    handler = STAFF_ACTIONS.get(request.POST.get("action", ""))
    if handler is None:
        messages.error(request, _("Unknown action."))
        return redirect("numbers:staff_port", port_id=port_request.pk)
    with errors_to_messages(request):
        forms = handler(request, port_request, Actor.from_request(request))
        if any(f.errors for f in forms.values()):
            port_request.refresh_from_db()
            return render(request, "numbering/staff/port_detail.html", _context(port_request, **forms), status=400)
        messages.success(request, _("Saved."))
    return redirect("numbers:staff_port", port_id=port_request.pk)


@staff_view
def port_authorisation(request: HttpRequest, port_id: int) -> HttpResponseBase:
    return authorisation_response(get_object_or_404(PortRequest, pk=port_id))
