from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.actor import Actor
from common.forms import add_errors, errors_to, errors_to_messages
from common.telecom import OPERATOR_LABELS
from companies.http import PortalRequest, require_company
from companies.permissions import AreaPolicy, area_view, cost_centre_limit
from registry.profile import profile_sections
from registry.scoping import get_for_company
from subscriptions import actions, bulk_bar, exports, guide, kept_list, pricing, selectors
from subscriptions.forms import (
    AddOnsForm,
    BlocksForm,
    BulkForm,
    CancelForm,
    ChangeProductForm,
    DetailsForm,
    ListForm,
    SimOrderForm,
    SuspendForm,
)
from subscriptions.models import BLOCK_FIELDS, AddOn, BulkJob, SimOrder, Subscription

PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # a page number past any company's (the capped count's LIMIT stays a bigint)
LIST_PARAMS = ("q", "status", "product", "cost_centre", "sort")


def _filters(
    request: HttpRequest, data: QueryDict, counters: selectors.ListCounters | None = None
) -> tuple[ListForm, dict]:
    company = require_company(request)
    centres = counters.cost_centres() if counters is not None else selectors.cost_centres(company)
    return (form := ListForm(data, cost_centres=centres)), _filter_values(form)


def _filter_values(form: ListForm) -> dict:
    c = form.cleaned()
    return {
        "q": c.get("q") or "",
        "status": c.get("status") or "",
        "product": c.get("product"),
        "cost_centre": c.get("cost_centre") or "",
        "sort": c.get("sort") or "name",
    }


def _filtered(
    request: HttpRequest, data: QueryDict, counters: selectors.ListCounters | None = None
) -> tuple[ListForm, dict, QuerySet[Subscription]]:
    form, filters = _filters(request, data, counters)
    return form, filters, selectors.subscription_list(require_company(request), **filters)


def _list_context(request: PortalRequest, data: QueryDict, bulk_form: BulkForm | None = None) -> dict:
    """The list page's context; ``data`` is the query string, or a bulk update's POST (whose hidden fields
    carry the list's search, filters, sort and page) when the list comes back with the bulk form's errors."""
    # One query over the counters for the cost centres and the type counts, the catalogue from this process.
    counters = selectors.ListCounters(require_company(request))
    form, filters, qs = _filtered(request, data, counters)
    products = selectors.catalogue_in_order()
    counts = counters.type_counts(**{k: v for k, v in filters.items() if k != "sort"})
    offset = (_page_number(data.get("page")) - 1) * PAGE_SIZE
    source = selectors.page_source(qs, filters["sort"], products, counts=counts, offset=offset)
    page = Paginator(source, PAGE_SIZE).get_page(data.get("page"))
    capped = isinstance(source, selectors.CappedList) and source.capped
    page.object_list = list(page.object_list)
    known = {p.pk for p in products}
    if any(row.product_id not in known for row in page.object_list):  # a type this process has not seen yet
        products = selectors.catalogue_in_order(reload=True)
    selectors.label_rows(page.object_list, products)
    sort = filters["sort"]
    sort_next = {k: (f"-{k}" if sort == k else k) for k in ("name", "phone", "email", "type")}
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "sort": sort,
        "sort_next": sort_next,
        "products": products,
        "catalogue_key": selectors.catalogue_key(products),
        "can_change": AreaPolicy(request.membership).can_change("subscriptions"),
        "searching": any(filters[k] for k in ("q", "status", "product", "cost_centre")),
        "bulk": bulk_bar.bar_context(bulk_form, page.object_list),
        # A search matching more than the cap: "more than 1,000" instead of the exact count.
        "count_capped": capped,
        "count_at_least": source.limit if capped else None,
    }
    return context


def _page_number(value: Any) -> int:
    """The page asked for, as the Paginator reads it (anything else is the first page)."""
    try:
        return min(max(int(value), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


@area_view("subscriptions")
def index(request: PortalRequest) -> HttpResponse:
    htmx = getattr(request, "htmx", None)  # django-htmx's middleware
    fragment = bool(htmx and not htmx.boosted)
    company = require_company(request)
    products = selectors.catalogue_in_order()
    # The version first: what is rendered below is at least as new as the version it is kept under.
    version = kept_list.list_version(company.pk)
    catalogue = selectors.catalogue_key(products)
    policy = AreaPolicy(request.membership)
    level = policy.level("subscriptions")
    key = kept_list.key(company, version, request.META.get("QUERY_STRING", ""), level, catalogue)
    kept = kept_list.get(key)
    if kept is not None:
        html, centres = kept
        if fragment:
            return HttpResponse(html)
        form = ListForm(request.GET, cost_centres=centres)
        filters = _filter_values(form)
        context = {
            "form": form,
            "filters": filters,
            "products": products,
            "can_change": policy.can_change("subscriptions"),
            "kept_rows": mark_safe(html),
        }
        return render(request, "subscriptions/list.html", context)  # the body was escaped when rendered
    context = _list_context(request, request.GET)
    html = render_to_string("subscriptions/list.html#rows", context, request)
    if context["catalogue_key"] == catalogue:  # else a type came in meanwhile: the next request keeps it
        rendered_form = context["form"]
        assert isinstance(rendered_form, ListForm)
        kept_list.put(key, html, rendered_form.cost_centres)
    if fragment:
        return HttpResponse(html)
    return render(request, "subscriptions/list.html", {**context, "kept_rows": mark_safe(html)})


def _subscription(request: HttpRequest, subscription_id: int) -> Subscription:
    company = require_company(request)
    sub = get_for_company(selectors.subscription_detail(company), company, pk=subscription_id)
    # The request's company object carries the admin's cost-centre limit, which the actions check.
    sub.company = company
    return sub


def _detail_context(request: HttpRequest, sub: Subscription, **extra: Any) -> dict:
    return {
        "sub": sub,
        "history": selectors.history(sub),
        "earliest_cancel": actions.earliest_cancel_date(sub),
        "details_form": extra.pop("details_form", None) or DetailsForm(instance=sub, prefix="details"),
        "blocks_form": extra.pop("blocks_form", None) or BlocksForm(instance=sub, prefix="blocks"),
        "can_change_add_ons": sub.is_open and bool(actions.allowed_add_ons(sub)),
        "add_on_names": {a.code: a.display_name for a in AddOn.objects.all()},
        "profile_sections": profile_sections(request, sub),
        **extra,
    }


@area_view("subscriptions")
def detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    if request.method == "POST":
        form = DetailsForm(
            request.POST, instance=Subscription.objects.get(pk=sub.pk, company_id=sub.company_id), prefix="details"
        )
        if form.is_valid():
            with errors_to(form):
                actions.change_details(
                    sub, data={f: form.cleaned_data[f] for f in actions.DETAIL_FIELDS}, by=Actor.from_request(request)
                )
                messages.success(request, _("The details were saved."))
                return redirect("subscriptions:detail", subscription_id=sub.pk)
        return render(
            request, "subscriptions/detail.html", _detail_context(request, sub, details_form=form), status=400
        )
    return render(request, "subscriptions/detail.html", _detail_context(request, sub))


@area_view("subscriptions", read_only_may_post=True)
def reveal(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    if request.method != "POST":
        return redirect("subscriptions:detail", subscription_id=sub.pk)
    try:
        secrets = actions.reveal_secrets(sub, by=Actor.from_request(request))
    except ValidationError as error:
        if getattr(request, "htmx", False):
            # The answer replaces the button: say why there, instead of swapping in a whole page.
            secrets = {"error": error.messages[0]}
        else:
            messages.error(request, error.messages[0])
            return redirect("subscriptions:detail", subscription_id=sub.pk)
    context = _detail_context(request, sub, secrets=secrets)
    if getattr(request, "htmx", False):
        response = render(request, "subscriptions/detail.html#secrets", context)
    else:
        response = render(request, "subscriptions/detail.html", context)
    # Clear-text PIN/PUK: never kept by the browser or a shared cache (the fragment too).
    response["Cache-Control"] = "no-store, private"
    return response


@area_view("subscriptions")
def change_product(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    form = ChangeProductForm(request.POST or None, subscription=sub)
    preview = None
    if request.method == "POST" and form.is_valid():
        target, effective = form.cleaned_data["target"], form.cleaned_data["effective"]
        with errors_to(form):
            if request.POST.get("confirm") == "1":
                actions.change_product(sub, target=target, effective=effective, by=Actor.from_request(request))
                messages.success(request, _("The subscription type was changed."))
                return redirect("subscriptions:detail", subscription_id=sub.pk)
            preview = actions.preview_product_change(sub, target=target, effective=effective)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request, "subscriptions/change_product.html", {"sub": sub, "form": form, "preview": preview}, status=status
    )


@area_view("subscriptions")
def cancel(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    form = CancelForm(request.POST or None, subscription=sub)
    confirm = False
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm") == "1":
            with errors_to(form):
                actions.cancel(
                    sub,
                    on=form.cleaned_data["end_date"],
                    reason=form.cleaned_data["reason"],
                    by=Actor.from_request(request),
                )
                messages.success(request, _("The subscription is cancelled."))
                return redirect("subscriptions:detail", subscription_id=sub.pk)
        else:
            confirm = True
    if not sub.is_open and not form.errors:
        # A GET too: the page says why it refuses before anything is posted.
        add_errors(form, _("This subscription is already cancelled."))
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "subscriptions/cancel.html", {"sub": sub, "form": form, "confirm": confirm}, status=status)


@area_view("subscriptions")
def withdraw(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    if request.method != "POST":
        return redirect("subscriptions:detail", subscription_id=sub.pk)
    with errors_to_messages(request):
        actions.withdraw_cancellation(sub, by=Actor.from_request(request))
        messages.success(request, _("The cancellation was withdrawn."))
    return redirect("subscriptions:detail", subscription_id=sub.pk)


@area_view("subscriptions")
def sim(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    form = SimOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_to(form):
            actions.order_sim(
                sub,
                kind=form.cleaned_data["kind"],
                ship_to=form.cleaned_data["ship_to"],
                reason=form.cleaned_data["reason"],
                by=Actor.from_request(request),
            )
            messages.success(request, _("The old SIM card is blocked and the new one is on its way."))
            return redirect("subscriptions:detail", subscription_id=sub.pk)
    status = 400 if request.method == "POST" and form.errors else 200
    fees = {kind: actions.sim_order_fee(kind) for kind in (SimOrder.Kind.REPLACEMENT, SimOrder.Kind.ESIM)}
    return render(request, "subscriptions/sim.html", {"sub": sub, "form": form, "fees": fees}, status=status)


@area_view("subscriptions")
def add_ons(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    form = AddOnsForm(request.POST or None, subscription=sub)
    preview = None
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["add_ons"])
        with errors_to(form):
            if request.POST.get("confirm") == "1":
                actions.change_add_ons(sub, add_ons=chosen, by=Actor.from_request(request))
                messages.success(request, _("The add-ons were changed."))
                return redirect("subscriptions:detail", subscription_id=sub.pk)
            preview = actions.preview_add_ons(sub, add_ons=chosen)
    if not sub.is_open and not form.errors:
        add_errors(form, _("Only a running subscription can change its add-ons."))
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "subscriptions/add_ons.html", {"sub": sub, "form": form, "preview": preview}, status=status)


@area_view("subscriptions")
def blocks(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    if request.method != "POST":
        return redirect("subscriptions:detail", subscription_id=sub.pk)
    form = BlocksForm(
        request.POST, instance=Subscription.objects.get(pk=sub.pk, company_id=sub.company_id), prefix="blocks"
    )
    if form.is_valid():
        with errors_to_messages(request):
            changes = actions.set_blocks(
                sub, blocks={f: form.cleaned_data[f] for f in BLOCK_FIELDS}, by=Actor.from_request(request)
            )
            if changes:
                messages.success(request, _("The service blocks were saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("subscriptions:detail", subscription_id=sub.pk)
    return render(request, "subscriptions/detail.html", _detail_context(request, sub, blocks_form=form), status=400)


@area_view("subscriptions")
def suspend(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_to(form):
            actions.suspend(sub, reason=form.cleaned_data["reason"], by=Actor.from_request(request))
            messages.success(request, _("The subscription is suspended. It keeps its number."))
            return redirect("subscriptions:detail", subscription_id=sub.pk)
    can_suspend = sub.status == Subscription.Status.ACTIVE
    # A plain message, not a form error: on GET the form is unbound and takes no errors.
    refusal = (
        ""
        if can_suspend
        else (
            _("Only an active subscription can be suspended. This one is: %(status)s.")
            % {"status": sub.get_status_display()}
        )
    )
    status = 400 if request.method == "POST" and (form.errors or refusal) else 200
    return render(
        request,
        "subscriptions/suspend.html",
        {"sub": sub, "form": form, "can_suspend": can_suspend, "refusal": refusal},
        status=status,
    )


@area_view("subscriptions")
def resume(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    if request.method != "POST":
        return redirect("subscriptions:detail", subscription_id=sub.pk)
    with errors_to_messages(request):
        actions.resume(sub, by=Actor.from_request(request))
        messages.success(request, _("The subscription is active again."))
    return redirect("subscriptions:detail", subscription_id=sub.pk)


# CSV -----------------------------------------------------------------------


@area_view("subscriptions")
def export(request: HttpRequest) -> StreamingHttpResponse:
    company = require_company(request)
    _form, filters, qs = _filtered(request, request.GET)
    exports.record_export(company=company, filters=filters, by=Actor.from_request(request))
    response = StreamingHttpResponse(exports.stream(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(company)}"'
    return response


# Bulk update ----------------------------------------------------------------


def _bulk_queryset(request: HttpRequest, form: BulkForm) -> QuerySet[Subscription]:
    if form.cleaned_data.get("all"):
        _form, _filters, qs = _filtered(request, request.POST)
        return qs
    return selectors.company_subscriptions(require_company(request)).filter(pk__in=form.cleaned_data["ids"][:50000])


@area_view("subscriptions")
def bulk(request: PortalRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("subscriptions:index")
    company = require_company(request)
    form = BulkForm(request.POST)
    context: dict = {"form": form, "params": {k: request.POST.get(k, "") for k in LIST_PARAMS}}
    if not form.is_valid():
        # Back to the list, with the errors in the bulk-update bar and the ticked rows still ticked.
        return render(request, "subscriptions/list.html", _list_context(request, request.POST, form), status=400)
    data = form.cleaned_data
    qs = _bulk_queryset(request, form)
    kwargs = {"action": data["action"], "target": data.get("target"), "on": data.get("end_date")}
    if request.POST.get("apply") == "1":
        with errors_to(form):
            changed = actions.submit_bulk(
                qs,
                company=company,
                token=data.get("token") or "",
                by=Actor.from_request(request),
                reason=data.get("reason") or "",
                cost_centre=(data.get("cost_centre_value") or "").strip(),
                **kwargs,
            )
            return _bulk_done(request, changed, context["params"])
    context["preview"] = actions.preview_bulk(qs, **kwargs)
    return render(request, "subscriptions/bulk.html", context, status=400 if form.errors else 200)


def _bulk_done(request: HttpRequest, changed: int | BulkJob, params: dict[str, str]) -> HttpResponse:
    """After a bulk update: its progress page when it runs in the background, else the list it came from."""
    if isinstance(changed, BulkJob):
        return redirect("subscriptions:bulk_job", bulk_job_id=changed.pk)
    messages.success(
        request,
        ngettext("%(count)s subscription was changed.", "%(count)s subscriptions were changed.", changed)
        % {"count": changed},
    )
    query = {k: v for k, v in params.items() if v}
    url = reverse("subscriptions:index")
    return redirect(f"{url}?{_urlencode(query)}" if query else url)


@area_view("subscriptions")
def bulk_job(request: HttpRequest, bulk_job_id: int) -> HttpResponse:
    """A queued bulk update: its progress (an htmx fragment polls while it runs) and its result."""
    # The id list can hold 50,000 ids; the page polled every 2 s does not need it.
    jobs = BulkJob.objects.select_related("target").defer("subscription_ids")
    if cost_centre_limit(request):
        # A bulk update spans the cost centres it was started in: a limited admin sees only their own.
        jobs = jobs.filter(created_by_id=request.user.pk)
    job = get_for_company(jobs, require_company(request), pk=bulk_job_id)
    template = (
        "subscriptions/bulk_job.html#progress" if getattr(request, "htmx", False) else "subscriptions/bulk_job.html"
    )
    return render(request, template, {"job": job})


def _urlencode(query: dict) -> str:
    q = QueryDict(mutable=True)
    q.update(query)
    return q.urlencode()


# The creation guide ----------------------------------------------------------


@area_view("subscriptions")
def create(request: HttpRequest, step: str = "user") -> HttpResponse:
    current = guide.Guide(request.session, require_company(request))
    elsewhere = _guide_redirect(request, current, step)
    if elsewhere is not None:
        return elsewhere
    context = _step_context(current, step)
    if step == "summary":
        return _summary(request, current, context)
    if request.method != "POST":
        context["form"] = current.form(step)
        return render(request, "subscriptions/create.html", context)
    form = current.form(step, request.POST)
    if form.is_valid():
        following = current.answer(step, form.cleaned_data, by=Actor.from_request(request))
        return redirect("subscriptions:create_" + following)
    context["form"] = form
    return render(request, "subscriptions/create.html", context, status=400)


def _guide_redirect(request: HttpRequest, current: guide.Guide, step: str) -> HttpResponse | None:
    """Where the guide sends a request that is not for ``step`` as it stands: a restart, a repeated
    confirmation, a step not yet reachable. None: show the step."""
    if request.GET.get("restart") == "1" and request.method == "GET":
        current.restart()
        return redirect("subscriptions:create_user")
    if step == "summary" and request.method == "POST" and request.POST.get("token"):
        # A second submit of a guide that is already confirmed: show what the first one created.
        done = current.created_by(request.POST["token"])
        if done is not None:
            return redirect("subscriptions:detail", subscription_id=done.pk)
    allowed = current.step_to_show(step)
    if allowed != step:
        return redirect("subscriptions:create_" + allowed)
    return None


def _step_context(current: guide.Guide, step: str) -> dict[str, Any]:
    steps = current.steps()
    index = steps.index(step)
    return {
        "step": step,
        "steps": [(s, guide.STEP_TITLES[s]) for s in steps],
        "index": index,
        "previous": steps[index - 1] if index else None,
        "token": current.draft["token"],
    }


def _summary(request: HttpRequest, current: guide.Guide, context: dict[str, Any]) -> HttpResponse:
    new = guide.new_subscription(current.draft)
    fees = guide.fees(new)
    context |= {
        "new": new,
        "fees": fees,
        "fees_total": sum(f.price for f in fees),
        "port_operator": OPERATOR_LABELS.get(new.port_operator, new.port_operator),
        "monthly": new.product.monthly_price + sum(a.monthly_price for a in new.add_ons),
        "monthly_price": pricing.monthly_price(new.product, new.add_ons),
        # As the billing run will charge it: a transferred number starts (and is billed) when it has moved.
        "first_invoice": pricing.first_invoice_of_order(
            product=new.product, add_ons=new.add_ons, fees=fees, number_choice=new.number_choice
        ),
    }
    if request.method != "POST":
        return render(request, "subscriptions/create.html", context)
    try:
        sub = current.confirm(new, token=request.POST.get("token", ""), by=Actor.from_request(request))
    except ValidationError as error:
        context["error"] = error.messages[0]
        return render(request, "subscriptions/create.html", context, status=400)
    if sub.port_in_requested:
        messages.success(request, _("The subscription was created. It becomes active when the number has moved to us."))
    else:
        messages.success(request, _("The subscription was created. It becomes active within a few minutes."))
    return redirect("subscriptions:detail", subscription_id=sub.pk)
