from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.labels import ACTION_LABELS, label_targets, prefix_label
from audit.selectors import company_events, visible_prefixes
from companies.http import require_company
from companies.permissions import AreaPolicy, whole_company_view
from registry.areas import registry


@whole_company_view
def event_list(request: HttpRequest) -> HttpResponse:
    # An admin sees the events of the areas they hold (and the company's own), never the others'.
    policy = AreaPolicy(getattr(request, "membership", None))
    area_keys = [key for key in registry.keys() if policy.can_view(key)]
    allowed = visible_prefixes(area_keys)
    prefixes = sorted({key.split(".")[0] for key in ACTION_LABELS} & allowed)
    area = request.GET.get("area", "")
    if area not in prefixes:
        area = ""
    events = company_events(company=require_company(request), action_prefix=area, area_keys=area_keys)
    page = Paginator(events, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    label_targets(page.object_list)
    choices = [(prefix, prefix_label(prefix)) for prefix in prefixes]
    return render(request, "audit/list.html", {"page": page, "prefixes": choices, "area": area})
