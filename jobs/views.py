from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.actor import Actor
from common.forms import errors_to_messages
from companies.permissions import staff_view
from jobs import actions, selectors


@staff_view
def staff_tasks(request: HttpRequest) -> HttpResponse:
    """Staff: background tasks by state, with their counts, and a retry for failed ones."""
    show = request.GET.get("show", "")
    if show not in selectors.FILTERS:
        show = ""
    page = Paginator(selectors.tasks(show), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.task_counts()
    labels = [
        ("", _("All")),
        ("queued", _("Queued")),
        ("running", _("Running")),
        ("failed", _("Failed")),
        ("retried", _("Retried")),
        ("successful", _("Done")),
    ]
    tabs = [(key, label, counts[key or "all"]) for key, label in labels]
    return render(request, "jobs/staff.html", {"page": page, "tabs": tabs, "show": show})


@staff_view
@require_POST
def staff_retry(request: HttpRequest, task_id: str) -> HttpResponse:
    with errors_to_messages(request):
        row = actions.retry_task(task_id=task_id, by=Actor.from_request(request))
        messages.success(request, _("The task %(name)s is queued again.") % {"name": row.task_name})
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("jobs:staff")
