"""The usage dashboard (Subscriptions area): thin views over ``usage.dashboard``'s fixed-count reads."""

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from companies.http import require_company
from companies.permissions import area_view
from invoicing.models import UsageRecord
from registry.scoping import get_for_company
from subscriptions.models import Subscription
from usage import dashboard as reads
from usage.chart import SERIES, cost_chart
from usage.forms import NO_COST_CENTRE, UsageFilterForm
from usage.models import DailyUsage

USERS_PER_PAGE = 50
AREA = "subscriptions"


def _filters(request: HttpRequest) -> tuple[UsageFilterForm, Any, str | None, str]:
    form = UsageFilterForm(request.GET or None, today=timezone.localdate())
    month, centre, sort = form.values()
    return form, month, centre, sort


def _summary(rows: list[dict[str, Any]], month: Any) -> dict[str, Any]:
    so_far = rows[-1]
    forecast = reads.forecast(so_far, month)
    projected = forecast.figures if forecast is not None else so_far
    return {
        "so_far": so_far,
        "forecast": forecast,
        "trend": reads.trend(rows, projected),
        "chart": cost_chart(rows, None if forecast is None or forecast.final else projected["charge"]),
        "months": rows,
        "series": SERIES,
    }


@area_view(AREA)
def dashboard(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    form, month, centre, sort = _filters(request)
    rows = reads.months(company, month, centre)
    context = {
        "form": form,
        "month": month,
        "cost_centre": centre,
        "no_cost_centre": NO_COST_CENTRE,
        "sort": sort,
        **_summary(rows, month),
    }
    if centre is None:
        context["centres"] = reads.cost_centres(company, month, sort)
    else:
        context["top"] = list(reads.users(company, month, cost_centre=centre)[:10])
    return render(request, "usage/dashboard.html", context)


@area_view(AREA)
def users(request: HttpRequest, roaming: bool = False) -> HttpResponse:
    company = require_company(request)
    form, month, centre, sort = _filters(request)
    page = Paginator(
        reads.users(company, month, sort=sort, cost_centre=centre, roaming=roaming), USERS_PER_PAGE
    ).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "month": month,
        "cost_centre": centre,
        "sort": sort,
        "page": page,
        "roaming": roaming,
        "no_cost_centre": NO_COST_CENTRE,
    }
    if getattr(request, "htmx", False):
        return render(request, "usage/users.html#rows", context)
    return render(request, "usage/users.html", context)


@area_view(AREA)
def line(request: HttpRequest, subscription_id: int) -> HttpResponse:
    company = require_company(request)
    subscription = get_for_company(
        Subscription.objects.only("pk", "company_id", "user_name", "phone_number", "cost_centre"),
        company,
        pk=subscription_id,
    )
    form, month, _centre, _sort = _filters(request)
    rows = reads.line_months(subscription, month)
    days = (
        DailyUsage.objects.filter(
            company=company, subscription=subscription, day__gte=month, day__lt=reads.add_months(month, 1)
        )
        .order_by("day", "type", "zone")
        .values("day", "type", "zone")
        .annotate(quantity=Sum("quantity"), charge=Sum("charge"), count=Sum("count"))
    )
    zones = dict(UsageRecord.Zone.choices)
    day_rows = [
        {
            **row,
            "label": f"{UsageRecord.Type(row['type']).label}{' · ' + str(zones[row['zone']]) if row['zone'] else ''}",
        }
        for row in days
    ]
    context = {"form": form, "month": month, "subscription": subscription, "days": day_rows, **_summary(rows, month)}
    return render(request, "usage/line.html", context)
