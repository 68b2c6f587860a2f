"""Staff page: what the outbox holds, permanent failures and unconfirmed hand-overs, with resend."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.actor import Actor
from common.forms import errors_to_messages
from companies.permissions import staff_view
from outbox import actions, sender
from outbox.models import OutboxMessage

FILTERS = ("problems", *OutboxMessage.Status.values, "all")


@staff_view
def staff_index(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    status = request.GET.get("status", "problems")
    if status not in FILTERS:
        status = "problems"
    rows = OutboxMessage.objects.defer("body", "alternatives", "attachments").order_by("-created_at", "-id")
    if status == "problems":
        rows = rows.filter(
            Q(status=OutboxMessage.Status.FAILED)
            | Q(status=OutboxMessage.Status.HANDED_OVER, handed_over_at__lt=sender.unconfirmed_before())
        )
    elif status != "all":
        rows = rows.filter(status=status)
    page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    choices = [("problems", _("Needs attention")), *OutboxMessage.Status.choices, ("all", _("All"))]
    return render(
        request,
        "outbox/staff.html",
        {"page": page, "status": status, "choices": choices, "retry_hours": settings.OUTBOX_RETRY_HOURS},
    )


@staff_view
@require_POST
def staff_resend(request: HttpRequest, message_id: int) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, pk=message_id)
    with errors_to_messages(request):
        actions.resend_message(message, by=Actor.from_request(request))
        messages.success(request, _("The e-mail is queued again."))
    return redirect("outbox:staff")


@staff_view
@require_POST
def staff_mark_sent(request: HttpRequest, message_id: int) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, pk=message_id)
    with errors_to_messages(request):
        actions.mark_message_sent(message, by=Actor.from_request(request))
        messages.success(request, _("The e-mail is marked as sent."))
    return redirect("outbox:staff")
