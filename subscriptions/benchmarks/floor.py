"""The floor the web benchmark compares the pages with (scripts/bench_web.py, docs/benchmarks.md).

The same 50 rows the subscriptions list shows, read with one query and rendered with a plain template:
``/bench/bare/`` is served by Django with no middleware at all (the company comes from ``?company=``),
``/bench/floor/`` behind the project's whole middleware stack (the signed-in admin's active company).
Only the benchmark's settings (``subscriptions.benchmarks.settings``) route to these; the portal never does.
"""

from django.http import HttpRequest, HttpResponse
from django.template import Context, Engine

from companies.models import Company
from subscriptions.models import Subscription
from subscriptions.selectors import LIST_FIELDS

_TEMPLATE = Engine().from_string(
    "<!doctype html><title>floor</title><table>{% for s in rows %}"
    "<tr><td>{{ s.user_name }}</td><td>{{ s.email }}</td><td>{{ s.phone_number }}</td>"
    "<td>{{ s.status }}</td><td>{{ s.cost_centre }}</td></tr>{% endfor %}</table>"
)


def floor(request: HttpRequest) -> HttpResponse:
    membership = getattr(request, "membership", None)
    company = membership.company if membership is not None else Company(pk=int(request.GET.get("company", "0")))
    rows = list(Subscription.objects.for_company(company).only(*LIST_FIELDS).order_by("sort_name", "id")[:50])
    return HttpResponse(_TEMPLATE.render(Context({"rows": rows})))
