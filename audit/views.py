from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.labels import ACTION_LABELS, prefix_label
from audit.selectors import company_events
from portal.http import require_company
from portal.permissions import company_view


@company_view
def event_list(request: HttpRequest) -> HttpResponse:
    area = request.GET.get("area", "")
    prefixes = sorted({key.split(".")[0] for key in ACTION_LABELS})
    if area not in prefixes:
        area = ""
    events = company_events(company=require_company(request), action_prefix=area)
    page = Paginator(events, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    choices = [(prefix, prefix_label(prefix)) for prefix in prefixes]
    return render(request, "audit/list.html", {"page": page, "prefixes": choices, "area": area})
