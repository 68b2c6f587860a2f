"""The usage dashboard (Subscriptions area): thin views over ``usage.dashboard``'s fixed-count reads."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.actor import Actor
from common.forms import errors_to
from companies.http import require_company
from companies.permissions import area_view
from invoicing.models import UsageRecord
from registry.scoping import cost_centre_limit, get_for_company
from subscriptions.models import Subscription
from usage import actions
from usage import dashboard as reads
from usage.chart import SERIES, cost_chart
from usage.forms import NO_COST_CENTRE, RecipientForm, ScheduleForm, UsageFilterForm
from usage.models import DailyUsage, ReportRecipient, ReportRun, ReportSchedule

USERS_PER_PAGE = 50
CENTRES_PER_PAGE = 50
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
        "month_value": f"{month:%Y-%m}",
        "cost_centre": centre,
        "no_cost_centre": NO_COST_CENTRE,
        "sort": sort,
        **_summary(rows, month),
    }
    if centre is None:
        context["centres"] = True
        context["centre_page"] = Paginator(reads.cost_centres(company, month, sort), CENTRES_PER_PAGE).get_page(
            request.GET.get("page")
        )
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
        "month_value": f"{month:%Y-%m}",
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


# Scheduled reports -----------------------------------------------------------------------------


def _confirm_url(request: HttpRequest) -> Callable[[str], str]:
    return lambda token: request.build_absolute_uri(reverse("usage:report_recipient:confirm", args=[token]))


def _schedules(company: Any) -> Any:
    """The schedules the request's admin sees and manages: all of the company's, or, for an admin limited to cost
    centres, those made for cost centres all among theirs (never a whole-company schedule)."""
    schedules = ReportSchedule.objects.filter(company=company)
    limit = cost_centre_limit(company)
    if limit is None:
        return schedules
    return schedules.exclude(cost_centres=[]).filter(
        pk__in=[s.pk for s in schedules.only("pk", "cost_centres") if set(s.cost_centres) <= set(limit)]
    )


def _reports_page(request: HttpRequest, company: Any, **forms: Any) -> HttpResponse:
    context = {
        "recipient_form": forms.get("recipient_form") or RecipientForm(),
        "schedule_form": forms.get("schedule_form")
        or ScheduleForm(company=company, initial={"language": request.LANGUAGE_CODE}),
        "recipients": ReportRecipient.objects.filter(company=company),
        "schedules": _schedules(company).prefetch_related("recipients"),
        "runs": ReportRun.objects.filter(company=company, schedule__in=_schedules(company)).select_related("schedule")[
            :20
        ],
    }
    return render(request, "usage/reports.html", context, status=400 if forms else 200)


@area_view(AREA)
def reports(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    if request.method != "POST":
        return _reports_page(request, company)
    form = ScheduleForm(request.POST, company=company)
    if form.is_valid():
        with errors_to(form):
            actions.create_schedule(
                company=company,
                kind=form.cleaned_data["kind"],
                frequency=form.cleaned_data["frequency"],
                file_format=form.cleaned_data["format"],
                language=form.cleaned_data["language"],
                recipients=list(form.cleaned_data["recipients"]),
                by=Actor.from_request(request),
                cost_centres=form.cleaned_data.get("cost_centres") or [],
                membership=request.membership,  # type: ignore[attr-defined]
            )
            messages.success(request, _("The report is scheduled."))
            return redirect("usage:reports")
    return _reports_page(request, company, schedule_form=form)


@area_view(AREA)
@require_POST
def report_recipient_add(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    form = RecipientForm(request.POST)
    if form.is_valid():
        with errors_to(form):
            recipient = actions.add_recipient(
                company=company,
                email=form.cleaned_data["email"],
                confirm_url=_confirm_url(request),
                language=request.LANGUAGE_CODE,
                by=Actor.from_request(request),
            )
            messages.success(request, _("We sent a confirmation link to %(email)s.") % {"email": recipient.email})
            return redirect("usage:reports")
    return _reports_page(request, company, recipient_form=form)


@area_view(AREA, whole_company=True)
def report_recipient_remove(request: HttpRequest, report_recipient_id: int) -> HttpResponse:
    recipient = get_for_company(ReportRecipient.objects.all(), require_company(request), pk=report_recipient_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    actions.remove_recipient(recipient=recipient, by=Actor.from_request(request))
    messages.success(request, _("%(email)s no longer receives reports.") % {"email": recipient.email})
    return redirect("usage:reports")


@area_view(AREA)
def report_delete(request: HttpRequest, schedule_id: int) -> HttpResponse:
    company = require_company(request)
    schedule = get_for_company(_schedules(company), company, pk=schedule_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    actions.delete_schedule(schedule=schedule, by=Actor.from_request(request))
    messages.success(request, _("The scheduled report is stopped."))
    return redirect("usage:reports")


@area_view(AREA)
def report_file(request: HttpRequest, run_id: int) -> FileResponse:
    company = require_company(request)
    run = get_for_company(
        ReportRun.objects.filter(schedule__in=_schedules(company)).select_related("schedule"),
        company,
        pk=run_id,
        status=ReportRun.Status.SENT,
    )
    try:
        stored = run.file.open("rb")
    except (FileNotFoundError, ValueError):  # removed from storage (or never stored): nothing to hand out
        raise Http404 from None
    return FileResponse(stored, as_attachment=True, filename=(run.file.name or "").rsplit("/", 1)[-1])


def report_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST confirms (mail scanners follow links with GET)."""
    recipient = actions.recipient_for_token(token)
    if recipient is None:
        return render(request, "usage/report_confirm.html", {"invalid": True}, status=404)
    if request.method == "POST":
        by = Actor.from_request(request) if request.user.is_authenticated else Actor.system(recipient.email)
        actions.confirm_recipient(recipient=recipient, by=by)
        return render(request, "usage/report_confirm.html", {"recipient": recipient, "done": True})
    return render(request, "usage/report_confirm.html", {"recipient": recipient})


report_confirm.public = True  # type: ignore[attr-defined]
