import copy
import json
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from audit.actor import Actor
from common import formats
from common.forms import errors_to, errors_to_messages
from common.telecom import OPERATOR_LABELS
from companies.http import PortalRequest, require_company
from companies.permissions import area_view
from numbering import actions, export, flow_designer, flow_diagram, flow_document, flows, scheduling, selectors
from numbering.forms import (
    CancelForm,
    CommentForm,
    CompareForm,
    PortRequestForm,
    ScheduleFlowForm,
    SpecialDayPickForm,
    SpecialDayPickFormSet,
    TestCallForm,
    WeekHoursForm,
)
from numbering.models import PortRequest
from registry.scoping import get_for_company

PAGE_SIZE = 25


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
            "route_summary": flow_document.route_summary(flow.document) if flow else None,
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
            with errors_to(form):
                port_request = actions.create_port_request(
                    company=company,
                    details=form.details(),
                    numbers=form.cleaned_data["numbers"],
                    authorisation=form.authorisation(),
                    submit="save_draft" not in request.POST,
                    by=Actor.from_request(request),
                )
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
            with errors_to(form):
                actions.update_port_request(
                    port_request,
                    details=form.details(),
                    numbers=form.cleaned_data["numbers"],
                    authorisation=form.authorisation(),
                    submit="save_draft" not in request.POST,
                    by=Actor.from_request(request),
                )
                messages.success(
                    request, _("Your port request %(ref)s has been saved.") % {"ref": port_request.reference}
                )
                return redirect("numbers:port_detail", port_id=port_request.pk)
    else:
        form = PortRequestForm(initial=_port_form_initial_from(port_request), instance=port_request)
    return render(request, "numbering/port_form.html", {"form": form, "port_request": port_request})


# The port request's own fields the form edits (the numbers are one text field, one per line).
_PORT_FORM_FIELDS = (
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


def _port_form_initial_from(port_request: PortRequest) -> dict[str, Any]:
    initial = {f: getattr(port_request, f) for f in _PORT_FORM_FIELDS}
    initial["numbers"] = "\n".join(n.number for n in port_request.numbers.all())
    return initial


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
    with errors_to_messages(request):
        run(port_request)
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


def diagram_context(document: dict[str, Any] | None, names: dict[int, str], path: Any = None) -> dict[str, Any]:
    """The diagram (with a simulated call's path marked), its text outline and the entry routes."""
    if document is None:
        return {"diagram": None, "outline": [], "entry": [], "highlighted": []}
    return {
        "diagram": flow_diagram.highlight(flow_diagram.layout(document), path),
        "outline": flow_diagram.outline(document, names),
        "entry": flow_diagram.entry(document),
        "highlighted": flow_diagram.path_keys(path),
    }


@area_view("numbers")
def flow(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    active = selectors.active_flow(company=company)
    form = TestCallForm(request.GET or None, initial={"date": timezone.localdate(), "time": "10:00"})
    names = flow_document.member_names(company)
    path = None
    if active is not None and request.GET and form.is_valid():
        path = flows.simulate(active.document, form.when(), form.cleaned_data["digits"], member_names=names)
    document = active.document if active else None
    return render(
        request,
        "numbering/flow.html",
        {
            "active": active,
            "document": document,
            "test_form": form,
            "path": path,
            "hours": flow_document.opening_hours(document) if document else [],
            "route_summary": flow_document.route_summary(document) if document else [],
            "ticket_flow_url": order_by_ticket_url(_("Set up the call flow on our main number")),
            "next_change": selectors.scheduled_changes(company=company).first() if active else None,
            **diagram_context(document, names, path),
        },
    )


def _designer_done(request: HttpRequest, to: str) -> HttpResponse:
    """After a save or a schedule: to the page that shows it (htmx follows with a client-side redirect)."""
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(reverse(to))
    return redirect(to)


def _designer_save(
    request: HttpRequest, company: Any, document: dict[str, Any], comment: str
) -> HttpResponse | list[str]:
    """Saves the draft as the active version: the redirect, or the reasons it was refused."""
    try:
        version = actions.save_call_flow(
            company=company, document=document, comment=comment, by=Actor.from_request(request)
        )
    except ValidationError as exc:
        return list(exc.messages)
    messages.success(request, _("Version %(v)d of the call flow is saved and active.") % {"v": version.version})
    return _designer_done(request, "numbers:flow")


def _designer_schedule(
    request: HttpRequest, company: Any, document: dict[str, Any], comment: str, form: ScheduleFlowForm
) -> HttpResponse | list[str]:
    """Schedules the draft to take effect at the form's time: the redirect, or the reasons it was refused."""
    if not form.is_valid():
        return [str(e) for field_errors in form.errors.values() for e in field_errors]
    try:
        change = scheduling.schedule_call_flow(
            company=company,
            document=document,
            at=form.when(),
            comment=comment or form.cleaned_data["comment"],
            by=Actor.from_request(request),
        )
    except ValidationError as exc:
        return list(exc.messages)
    messages.success(
        request,
        _("The call flow takes effect on %(when)s; the active one stays until then.")
        % {"when": formats.datetime(change.take_effect_at)},
    )
    return _designer_done(request, "numbers:flow_versions")


@area_view("numbers")
def flow_design(request: HttpRequest) -> HttpResponse:
    """The designer: the flow as steps chosen from a palette, a live diagram beside it (see ``flow_designer``).

    Every button posts the whole draft: ``save``, ``schedule`` and ``check`` validate it, the others
    (``add:ivr``, ``remove:<key>``, ``up:<key>:<i>`` ...) change it and show it again, unsaved.
    """
    company = require_company(request)
    active = selectors.active_flow(company=company)
    base = active.document if active else flows.default_document()
    document, comment, outcome = copy.deepcopy(base), "", flow_designer.Outcome(base)
    errors: list[str] = []
    schedule_form = ScheduleFlowForm(prefix="schedule", initial=ScheduleFlowForm.default_initial())
    action = str(request.POST.get("action", "check")) if request.method == "POST" else ""
    subscription_ids = actions.company_subscription_ids(company)
    if action:
        document = flow_designer.parse_draft(request.POST, base)
        comment = str(request.POST.get("entry-comment", ""))[:200]
    if action in ("save", "schedule") and not flows.step_problems(document, subscription_ids=subscription_ids).blocking:
        if action == "schedule":
            schedule_form = ScheduleFlowForm(request.POST, prefix="schedule")
            done = _designer_schedule(request, company, document, comment, schedule_form)
        else:
            done = _designer_save(request, company, document, comment)
        if isinstance(done, HttpResponse):
            return done
        errors = done
    elif action not in ("", "check", "save", "schedule"):
        outcome = flow_designer.apply(document, action, email=cast(PortalRequest, request).user.email)
        document = outcome.document
    show_problems = action in ("check", "save", "schedule") or (bool(action) and not outcome.added)
    problems = flows.step_problems(document, subscription_ids=subscription_ids)
    forms = flow_designer.step_forms(
        document,
        member_choices=flow_document.member_choices(company),
        number_choices=flow_document.number_choices(company),
        focus=outcome.focus,
    )
    for form in forms:
        form.problems = problems.steps.get(form.key, []) if show_problems and form.key != outcome.added else []
        form.warnings = problems.warnings.get(form.key, [])
    refused = action in ("save", "schedule")
    return render(
        request,
        "numbering/flow_design.html",
        {
            "active": active,
            "step_forms": forms,
            "entry_form": flow_designer.EntryForm(document, comment),
            "palette": flow_designer.PALETTE,
            "problems": problems if show_problems else None,
            "schedule_form": schedule_form,
            "errors": errors,
            "outcome": outcome,
            **diagram_context(document, flow_document.member_names(company)),
        },
        status=400 if refused and not request.htmx else 200,  # type: ignore[attr-defined]
    )


def _hours_forms(
    editor: flow_document.FlowEditor, document: dict[str, Any], data: Any = None
) -> tuple[WeekHoursForm, Any]:
    kwargs = {"holiday_choices": editor.holiday_choices, "optional_dates": editor.optional_dates}
    if data is not None:
        return WeekHoursForm(data, prefix="hours", **kwargs), SpecialDayPickFormSet(data, prefix="special")
    conf = document.get("holidays") or {}
    initial = {
        **WeekHoursForm.initial_for(document),
        "observe_holidays": conf.get("observe", True),
        "observed": editor.observed(document),
    }
    specials = [SpecialDayPickForm.initial_for(s) for s in document.get("special_days") or []]
    return WeekHoursForm(prefix="hours", initial=initial, **kwargs), SpecialDayPickFormSet(
        prefix="special", initial=specials
    )


@area_view("numbers")
def flow_hours(request: HttpRequest) -> HttpResponse:
    """Opening hours on a week grid, the Danish holidays of the coming year (24 and 31 December switchable) and
    special days on a calendar; saved as a new version of the active flow."""
    company = require_company(request)
    active = selectors.active_flow(company=company)
    if active is None:
        messages.info(request, _("Design the call flow first: the opening hours decide where its calls go."))
        return redirect("numbers:flow_design")
    start, end = flow_document.holiday_window()
    editor = flow_document.FlowEditor.between(start, end, member_choices=[])
    document = active.document
    errors: list[str] = []
    if request.method == "POST":
        hours_form, special_formset = _hours_forms(editor, document, request.POST)
        if hours_form.is_valid() and special_formset.is_valid():
            conf = document.get("holidays") or {}
            new = {
                **document,
                "hours": hours_form.cleaned_data["hours"],
                "holidays": hours_form.holidays_conf(conf.get("off", []), conf.get("on", [])),
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
            }
            try:
                version = actions.save_call_flow(
                    company=company,
                    document=new,
                    comment=_("Opening hours and holidays"),
                    by=Actor.from_request(request),
                )
            except ValidationError as exc:
                errors = list(exc.messages)
            else:
                messages.success(
                    request, _("Version %(v)d of the call flow is saved and active.") % {"v": version.version}
                )
                return redirect("numbers:flow_hours")
        else:
            errors = [_("Please correct the marked fields.")]
    else:
        hours_form, special_formset = _hours_forms(editor, document)
    return render(
        request,
        "numbering/flow_hours.html",
        {
            "active": active,
            "hours_form": hours_form,
            "special_formset": special_formset,
            "errors": errors,
            "week_grid": flow_document.week_grid(document),
            "months": flow_document.calendar_months(document, start),
            "hours_scale": range(0, 24, 3),
        },
        status=400 if errors else 200,
    )


@area_view("numbers")
def flow_edit(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    active = selectors.active_flow(company=company)
    document = active.document if active else flows.default_document()
    start, end = flow_document.holiday_window()
    editor = flow_document.FlowEditor.between(start, end, member_choices=flow_document.member_choices(company))
    errors: list[str] = []
    if request.method == "POST":
        forms = editor.bind(request.POST)
        if not forms.is_valid():
            errors = [_("Please correct the marked fields.")]
        else:
            try:
                version = actions.save_call_flow(
                    company=company,
                    document=forms.document(document),
                    comment=forms.comment,
                    by=Actor.from_request(request),
                )
            except ValidationError as exc:
                errors = list(exc.messages)
            else:
                messages.success(
                    request, _("Version %(v)d of the call flow is saved and active.") % {"v": version.version}
                )
                return redirect("numbers:flow")
    else:
        forms = editor.unbound(document)
    return render(
        request,
        "numbering/flow_edit.html",
        {
            "schedule_form": forms.schedule,
            "special_formset": forms.special_days,
            "destination_formset": forms.destinations,
            "routes_form": forms.routes,
            "errors": errors,
            "active": active,
            "day_fields": [forms.schedule[f"day_{d}"] for d in range(7)],
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
    numbers = list(
        selectors.flow_versions(company=company).order_by("-version").values_list("version", flat=True)[:200]
    )
    compare = CompareForm(
        versions=numbers, initial={"a": numbers[1] if len(numbers) > 1 else None, "b": numbers[0] if numbers else None}
    )
    return render(
        request,
        "numbering/flow_versions.html",
        {
            "page": page,
            "latest": latest,
            "compare_form": compare,
            "scheduled": selectors.scheduled_changes(company=company),
        },
    )


@area_view("numbers")
def flow_compare(request: HttpRequest) -> HttpResponse:
    """Two versions side by side, in words: what changed from ``a`` to ``b``."""
    company = require_company(request)
    versions = selectors.flow_versions(company=company)
    numbers = list(versions.order_by("-version").values_list("version", flat=True)[:200])
    form = CompareForm(request.GET, versions=numbers)
    if not form.is_valid():
        return render(request, "numbering/flow_compare.html", {"compare_form": form, "changes": None}, status=400)
    a = get_for_company(versions, company, version=form.cleaned_data["a"])
    b = get_for_company(versions, company, version=form.cleaned_data["b"])
    return render(
        request,
        "numbering/flow_compare.html",
        {"compare_form": form, "a": a, "b": b, "changes": flows.diff(a.document, b.document)},
    )


def _version_context(company: Any, version: Any) -> dict[str, Any]:
    previous = selectors.flow_versions(company=company).filter(version__lt=version.version).order_by("-version").first()
    latest = selectors.active_flow(company=company)
    return {
        "version": version,
        "previous": previous,
        "latest": latest,
        "changes": flows.diff(previous.document, version.document) if previous else [],
        "changes_to_active": flows.diff(latest.document, version.document) if latest and latest != version else [],
        "document_json": json.dumps(version.document, indent=2, ensure_ascii=False),
    }


@area_view("numbers")
def flow_version(request: HttpRequest, version_id: int) -> HttpResponse:
    company = require_company(request)
    version = get_for_company(selectors.flow_versions(company=company), company, pk=version_id)
    form = ScheduleFlowForm(initial=ScheduleFlowForm.default_initial())
    return render(request, "numbering/flow_version.html", {**_version_context(company, version), "schedule_form": form})


@area_view("numbers")
def flow_rollback(request: HttpRequest, version_id: int) -> HttpResponse:
    """GET: what a rollback would change, and the button; POST: the rollback (a new version, audited)."""
    company = require_company(request)
    version = get_for_company(selectors.flow_versions(company=company), company, pk=version_id)
    if request.method != "POST":
        return render(request, "numbering/flow_rollback.html", _version_context(company, version))
    with errors_to_messages(request):
        new = actions.rollback_call_flow(company=company, to=version, by=Actor.from_request(request))
        messages.success(
            request,
            _("Version %(old)d is active again as version %(new)d.") % {"old": version.version, "new": new.version},
        )
        return redirect("numbers:flow")
    return redirect("numbers:flow_version", version_id=version.pk)


@area_view("numbers")
def flow_schedule(request: HttpRequest, version_id: int) -> HttpResponse:
    """Schedules a saved version to take effect at a date and time (e.g. a Christmas flow, then the usual one)."""
    company = require_company(request)
    version = get_for_company(selectors.flow_versions(company=company), company, pk=version_id)
    if request.method != "POST":
        return redirect("numbers:flow_version", version_id=version.pk)
    form = ScheduleFlowForm(request.POST)
    if form.is_valid():
        with errors_to(form):
            change = scheduling.schedule_call_flow(
                company=company,
                document=version.document,
                at=form.when(),
                source=version,
                comment=form.cleaned_data["comment"],
                by=Actor.from_request(request),
            )
            messages.success(
                request,
                _("Version %(v)d takes effect on %(when)s.")
                % {"v": version.version, "when": formats.datetime(change.take_effect_at)},
            )
            return redirect("numbers:flow_versions")
    return render(
        request,
        "numbering/flow_version.html",
        {**_version_context(company, version), "schedule_form": form},
        status=400,
    )


@area_view("numbers")
def flow_schedule_cancel(request: HttpRequest, change_id: int) -> HttpResponse:
    company = require_company(request)
    change = get_for_company(selectors.scheduled_changes(company=company, all_statuses=True), company, pk=change_id)
    if request.method == "POST":
        with errors_to_messages(request):
            scheduling.cancel_scheduled_change(change, by=Actor.from_request(request))
            messages.success(request, _("The scheduled change is cancelled."))
    return redirect("numbers:flow_versions")


@area_view("numbers")
def flow_export(request: HttpRequest) -> HttpResponse:
    """The active version as the network takes it: a ``selfservice.callflow/v1`` document (see ``export``)."""
    company = require_company(request)
    active = selectors.active_flow(company=company)
    if active is None:
        raise Http404
    main = selectors.phone_numbers(company=company).filter(kind="main").first()
    payload = export.export(active, company=company, main_number=main.number if main else None)
    response = HttpResponse(json.dumps(payload, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="callflow-{company.cvr}-v{active.version}.json"'
    response["X-Callflow-Format"] = export.FORMAT
    return response
