import datetime
import json
import zoneinfo
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actor import Actor
from common.telecom import OPERATOR_LABELS, format_number
from companies.http import PortalRequest, require_company
from companies.permissions import area_view
from numbering import actions, flows, selectors
from numbering.forms import (
    CancelForm,
    CommentForm,
    DestinationForm,
    DestinationFormSet,
    PortRequestForm,
    RoutesForm,
    ScheduleEditorForm,
    SpecialDayFormSet,
    TestCallForm,
)
from numbering.models import PortRequest
from registry.scoping import get_for_company

PAGE_SIZE = 25


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def order_by_ticket_url(subject: str) -> str:
    """A pre-filled support ticket for companies that prefer the operator to do it."""
    return "/tickets/new/?" + urlencode({"category": "numbers", "subject": subject})


# -- overview ---------------------------------------------------------------------------------------------


@area_view("numbers")
def index(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    numbers = selectors.phone_numbers(company=company)
    landlines = Paginator(numbers.exclude(kind="main"), PAGE_SIZE).get_page(request.GET.get("page"))
    flow = selectors.active_flow(company=company)
    return render(
        request,
        "numbering/index.html",
        {
            "main_numbers": list(numbers.filter(kind="main")),
            "landlines": landlines,
            # Open port requests are few (at most 100 numbers each), so their numbers all show on page one.
            "porting": list(selectors.numbers_porting_in(company=company)) if landlines.number == 1 else [],
            "mobile_count": selectors.mobile_subscriptions(company=company).count(),
            "flow": flow,
            "route_summary": _route_summary(flow.document) if flow else None,
            "open_ports": selectors.port_requests(company=company)
            .exclude(status__in=[PortRequest.Status.COMPLETED, PortRequest.Status.CANCELLED])
            .count(),
            "ticket_port_url": order_by_ticket_url(_("Port landline numbers to you")),
            "ticket_flow_url": order_by_ticket_url(_("Set up the call flow on our main number")),
        },
    )


@area_view("numbers")
def mobile_numbers(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    page = Paginator(selectors.mobile_subscriptions(company=company), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "numbering/mobile_numbers.html", {"page": page})


def _route_summary(document: dict[str, Any]) -> list[tuple[str, str]]:
    destinations = document.get("destinations") or {}
    rows = []
    for route, label in flows.ROUTES:
        key = (document.get("routes") or {}).get(route, "")
        dest = destinations.get(key) or {}
        rows.append((str(label), dest.get("name") or key))
    return rows


# -- port requests ----------------------------------------------------------------------------------------


@area_view("numbers")
def port_list(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    page = Paginator(selectors.port_requests(company=company).order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "numbering/port_list.html", {"page": page})


def _port_form_initial(request: HttpRequest) -> dict[str, Any]:
    company = require_company(request)
    user = cast(PortalRequest, request).user  # @area_view: signed in
    return {
        "holder_name": company.name,
        "holder_street": company.street,
        "holder_postcode": company.postcode,
        "holder_city": company.city,
        "cvr": company.cvr,
        "notification_emails": user.email,
        "notification_language": getattr(user, "language", "da") or "da",
    }


@area_view("numbers")
def port_new(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    if request.method == "POST":
        form = PortRequestForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                port_request = actions.create_port_request(
                    company=company,
                    details=form.details(),
                    numbers=form.cleaned_data["numbers"],
                    authorisation=form.authorisation(),
                    submit="save_draft" not in request.POST,
                    by=Actor.from_request(request),
                )
            except ValidationError as exc:
                for message in _errors(exc):
                    form.add_error(None, message)
            else:
                messages.success(
                    request, _("Your port request %(ref)s has been saved.") % {"ref": port_request.reference}
                )
                return redirect("numbers:port_detail", port_id=port_request.pk)
    else:
        form = PortRequestForm(initial=_port_form_initial(request))
    return render(request, "numbering/port_form.html", {"form": form, "port_request": None})


@area_view("numbers")
def port_edit(request: HttpRequest, port_id: int) -> HttpResponse:
    company = require_company(request)
    port_request = get_for_company(selectors.port_request_detail(company=company), company, pk=port_id)
    if port_request.status not in actions.CUSTOMER_EDITABLE:
        messages.error(request, _("Only a draft or a rejected request can be changed."))
        return redirect("numbers:port_detail", port_id=port_request.pk)
    if request.method == "POST":
        form = PortRequestForm(request.POST, request.FILES, instance=port_request)
        if form.is_valid():
            try:
                actions.update_port_request(
                    port_request,
                    details=form.details(),
                    numbers=form.cleaned_data["numbers"],
                    authorisation=form.authorisation(),
                    submit="save_draft" not in request.POST,
                    by=Actor.from_request(request),
                )
            except ValidationError as exc:
                for message in _errors(exc):
                    form.add_error(None, message)
            else:
                messages.success(
                    request, _("Your port request %(ref)s has been saved.") % {"ref": port_request.reference}
                )
                return redirect("numbers:port_detail", port_id=port_request.pk)
    else:
        initial = {
            f: getattr(port_request, f)
            for f in (
                "current_operator",
                "customer_number",
                "holder_name",
                "holder_street",
                "holder_postcode",
                "holder_city",
                "cvr",
                "desired_date",
                "notification_emails",
                "notification_language",
                "authorisation_method",
            )
        }
        initial["numbers"] = "\n".join(n.number for n in port_request.numbers.all())
        form = PortRequestForm(initial=initial, instance=port_request)
    return render(request, "numbering/port_form.html", {"form": form, "port_request": port_request})


@area_view("numbers")
def port_detail(request: HttpRequest, port_id: int) -> HttpResponse:
    company = require_company(request)
    port_request = get_for_company(selectors.port_request_detail(company=company), company, pk=port_id)
    return render(request, "numbering/port_detail.html", _port_context(port_request, comment_form=CommentForm()))


def _port_context(port_request: PortRequest, **extra: Any) -> dict[str, Any]:
    return {
        "port_request": port_request,
        "operator": OPERATOR_LABELS.get(port_request.current_operator, port_request.current_operator),
        "can_cancel": port_request.status
        in (
            PortRequest.Status.DRAFT,
            PortRequest.Status.SUBMITTED,
            PortRequest.Status.PENDING,
            PortRequest.Status.REJECTED,
        ),
        "can_edit": port_request.status in actions.CUSTOMER_EDITABLE,
        "cancel_form": CancelForm(),
        **extra,
    }


def _port_action(request: HttpRequest, port_id: int, run: Any) -> HttpResponse:
    company = require_company(request)
    port_request = get_for_company(PortRequest.objects.all(), company, pk=port_id)
    if request.method != "POST":
        return redirect("numbers:port_detail", port_id=port_request.pk)
    try:
        run(port_request)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
    return redirect("numbers:port_detail", port_id=port_request.pk)


@area_view("numbers")
def port_submit(request: HttpRequest, port_id: int) -> HttpResponse:
    def run(port_request: PortRequest) -> None:
        actions.submit_port_request(port_request, by=Actor.from_request(request))
        messages.success(request, _("The request has been submitted."))

    return _port_action(request, port_id, run)


@area_view("numbers")
def port_cancel(request: HttpRequest, port_id: int) -> HttpResponse:
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""

    def run(port_request: PortRequest) -> None:
        actions.cancel_port_request(port_request, reason=reason, by=Actor.from_request(request))
        messages.success(request, _("The request has been cancelled."))

    return _port_action(request, port_id, run)


@area_view("numbers")
def port_comment(request: HttpRequest, port_id: int) -> HttpResponse:
    company = require_company(request)
    port_request = get_for_company(selectors.port_request_detail(company=company), company, pk=port_id)
    if request.method != "POST":
        return redirect("numbers:port_detail", port_id=port_request.pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        actions.add_port_comment(
            port_request,
            body=form.cleaned_data["body"],
            internal=False,
            from_staff=False,
            by=Actor.from_request(request),
        )
        messages.success(request, _("Your comment has been added."))
        return redirect("numbers:port_detail", port_id=port_request.pk)
    return render(request, "numbering/port_detail.html", _port_context(port_request, comment_form=form), status=400)


def authorisation_response(port_request: PortRequest) -> FileResponse:
    if not port_request.authorisation_file:
        raise Http404
    try:
        handle = port_request.authorisation_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        content_type="application/pdf",
        filename=port_request.authorisation_filename or f"{port_request.reference}.pdf",
    )


@area_view("numbers")
def port_authorisation(request: HttpRequest, port_id: int) -> HttpResponseBase:
    company = require_company(request)
    return authorisation_response(get_for_company(PortRequest.objects.all(), company, pk=port_id))


# -- call flow --------------------------------------------------------------------------------------------


def _member_choices(company: Any) -> list[tuple[str, str]]:
    return [
        (str(s.pk), f"{s.user_name} ({format_number(s.phone_number)})" if s.phone_number else s.user_name)
        for s in selectors.subscription_choices(company=company)
    ]


def _member_names(company: Any) -> dict[int, str]:
    return {int(k): v for k, v in _member_choices(company)}


@area_view("numbers")
def flow(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    active = selectors.active_flow(company=company)
    form = TestCallForm(request.GET or None, initial={"date": timezone.localdate(), "time": "10:00"})
    path = None
    if active is not None and request.GET and form.is_valid():
        path = flows.simulate(
            active.document, form.when(), form.cleaned_data["digits"], member_names=_member_names(company)
        )
    document = active.document if active else None
    return render(
        request,
        "numbering/flow.html",
        {
            "active": active,
            "document": document,
            "test_form": form,
            "path": path,
            "hours": [
                (flows.WEEKDAYS[d], flows.format_periods((document or {}).get("hours", {}).get(str(d), [])))
                for d in range(7)
            ]
            if document
            else [],
            "destinations": _describe_destinations(document, _member_names(company)) if document else [],
            "route_summary": _route_summary(document) if document else [],
            "ticket_flow_url": order_by_ticket_url(_("Set up the call flow on our main number")),
        },
    )


def _describe_destinations(document: dict[str, Any], member_names: dict[int, str]) -> list[dict[str, Any]]:
    types = dict(flows.DESTINATION_TYPES)
    rows = []
    for key, dest in (document.get("destinations") or {}).items():
        detail = ""
        if dest.get("type") == "ring_group":
            detail = ", ".join(member_names.get(m, f"#{m}") for m in dest.get("members", []))
        elif dest.get("type") == "ivr":
            detail = ", ".join(f"{d} → {t}" for d, t in (dest.get("options") or {}).items())
        elif dest.get("type") == "voicemail":
            detail = dest.get("email", "")
        elif dest.get("type") == "announcement":
            detail = dest.get("text", "")
        elif dest.get("type") == "forward":
            detail = dest.get("number", "")
        rows.append(
            {"key": key, "name": dest.get("name") or key, "type": types.get(dest.get("type"), "?"), "detail": detail}
        )
    return rows


def _holiday_window() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    return today, today + datetime.timedelta(days=365)


@area_view("numbers")
def flow_edit(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    active = selectors.active_flow(company=company)
    document = active.document if active else flows.default_document()
    start, end = _holiday_window()
    optional = flows.optional_holidays_between(start, end)
    optional_dates = [d.isoformat() for d, _name in optional]
    holiday_choices = sorted(
        [(d.isoformat(), f"{d.strftime('%d-%m-%Y')} · {name}") for d, name in flows.holidays_between(start, end)]
        + [(d.isoformat(), f"{d.strftime('%d-%m-%Y')} · {name} ({_('not a public holiday')})") for d, name in optional]
    )
    member_choices = _member_choices(company)
    off = (document.get("holidays") or {}).get("off", [])
    on = (document.get("holidays") or {}).get("on", [])
    errors: list[str] = []
    if request.method == "POST":
        schedule_form = ScheduleEditorForm(
            request.POST, prefix="schedule", holiday_choices=holiday_choices, optional_dates=optional_dates
        )
        special_formset = SpecialDayFormSet(request.POST, prefix="special")
        destination_formset = DestinationFormSet(
            request.POST, prefix="dest", form_kwargs={"member_choices": member_choices}
        )
        routes_form = RoutesForm(request.POST, prefix="routes")
        forms_valid = all(f.is_valid() for f in (schedule_form, special_formset, destination_formset, routes_form))
        if forms_valid:
            new_document = {
                "timezone": flows.TIMEZONE,
                "hours": schedule_form.cleaned_data["hours"],
                "holidays": schedule_form.holidays_conf(off, on),
                "special_days": sorted(
                    (
                        {
                            "date": f.cleaned_data["date"].isoformat(),
                            "label": f.cleaned_data.get("label", ""),
                            "periods": f.cleaned_data["periods"],
                        }
                        for f in special_formset.forms
                        if f.cleaned_data and not f.cleaned_data.get("DELETE")
                    ),
                    key=lambda s: s["date"],
                ),
                "routes": {k: routes_form.cleaned_data[k] for k in ("open", "closed", "holiday")},
                "destinations": {
                    f.cleaned_data["key"]: f.destination()
                    for f in destination_formset.forms
                    if f.cleaned_data and not f.cleaned_data.get("DELETE")
                },
            }
            try:
                version = actions.save_call_flow(
                    company=company,
                    document=new_document,
                    comment=routes_form.cleaned_data.get("comment", ""),
                    by=Actor.from_request(request),
                )
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(
                    request, _("Version %(v)d of the call flow is saved and active.") % {"v": version.version}
                )
                return redirect("numbers:flow")
        else:
            errors = [_("Please correct the marked fields.")]
    else:
        schedule_initial: dict[str, Any] = {
            f"day_{d}": flows.format_periods(document["hours"].get(str(d), [])) for d in range(7)
        }
        schedule_initial["observe_holidays"] = (document.get("holidays") or {}).get("observe", True)
        schedule_initial["observed"] = [
            d for d, _n in holiday_choices if (d in on if d in optional_dates else d not in off)
        ]
        schedule_form = ScheduleEditorForm(
            initial=schedule_initial, prefix="schedule", holiday_choices=holiday_choices, optional_dates=optional_dates
        )
        special_formset = SpecialDayFormSet(
            prefix="special",
            initial=[
                {"date": s["date"], "label": s.get("label", ""), "periods": flows.format_periods(s.get("periods", []))}
                for s in document.get("special_days", [])
            ],
        )
        destination_formset = DestinationFormSet(
            prefix="dest",
            form_kwargs={"member_choices": member_choices},
            initial=[DestinationForm.initial_for(k, d) for k, d in document.get("destinations", {}).items()],
        )
        routes_form = RoutesForm(prefix="routes", initial=document.get("routes", {}))
    return render(
        request,
        "numbering/flow_edit.html",
        {
            "schedule_form": schedule_form,
            "special_formset": special_formset,
            "destination_formset": destination_formset,
            "routes_form": routes_form,
            "errors": errors,
            "active": active,
            "day_fields": [schedule_form[f"day_{d}"] for d in range(7)],
            "destination_keys": sorted((document.get("destinations") or {}).items()),
        },
        status=400 if errors else 200,
    )


@area_view("numbers")
def flow_versions(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    page = Paginator(selectors.flow_versions(company=company).order_by("-version"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    latest = selectors.active_flow(company=company)
    return render(request, "numbering/flow_versions.html", {"page": page, "latest": latest})


@area_view("numbers")
def flow_version(request: HttpRequest, version_id: int) -> HttpResponse:
    company = require_company(request)
    version = get_for_company(selectors.flow_versions(company=company), company, pk=version_id)
    previous = selectors.flow_versions(company=company).filter(version__lt=version.version).order_by("-version").first()
    latest = selectors.active_flow(company=company)
    return render(
        request,
        "numbering/flow_version.html",
        {
            "version": version,
            "previous": previous,
            "latest": latest,
            "changes": flows.diff(previous.document, version.document) if previous else [],
            "changes_to_active": flows.diff(latest.document, version.document) if latest and latest != version else [],
            "document_json": json.dumps(version.document, indent=2, ensure_ascii=False),
        },
    )


@area_view("numbers")
def flow_rollback(request: HttpRequest, version_id: int) -> HttpResponse:
    company = require_company(request)
    version = get_for_company(selectors.flow_versions(company=company), company, pk=version_id)
    if request.method != "POST":
        return redirect("numbers:flow_version", version_id=version.pk)
    try:
        new = actions.rollback_call_flow(company=company, to=version, by=Actor.from_request(request))
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("numbers:flow_version", version_id=version.pk)
    messages.success(
        request, _("Version %(old)d is active again as version %(new)d.") % {"old": version.version, "new": new.version}
    )
    return redirect("numbers:flow")


@area_view("numbers")
def flow_export(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    active = selectors.active_flow(company=company)
    if active is None:
        raise Http404
    main = selectors.phone_numbers(company=company).filter(kind="main").first()
    payload = {
        "company": {"name": company.name, "cvr": company.cvr},
        "main_number": main.number if main else None,
        "version": active.version,
        "saved_at": active.created_at.astimezone(zoneinfo.ZoneInfo(flows.TIMEZONE)).isoformat(),
        "flow": active.document,
    }
    response = HttpResponse(json.dumps(payload, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="callflow-{company.cvr}-v{active.version}.json"'
    return response
