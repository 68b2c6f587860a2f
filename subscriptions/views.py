import csv
import datetime
import uuid
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import CharField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.actor import Actor
from audit.events import record
from common.telecom import OPERATOR_LABELS
from companies.http import PortalRequest, require_company
from companies.permissions import AreaPolicy, area_view
from registry.scoping import get_for_company
from subscriptions import actions, bulk_bar, pricing, selectors
from subscriptions.forms import (
    AddOnsForm,
    BlocksForm,
    BulkForm,
    CancelForm,
    ChangeProductForm,
    DetailsForm,
    ListForm,
    NumberStepForm,
    ProductStepForm,
    SimOrderForm,
    SimStepForm,
    SuspendForm,
    UserStepForm,
)
from subscriptions.models import BLOCK_FIELDS, AddOn, BulkJob, OneOffFee, Product, SimOrder, Subscription

PAGE_SIZE = 50
LIST_PARAMS = ("q", "status", "product", "cost_centre", "sort")


def _refuse(form: Any, message: str) -> None:
    """Shows why the page refuses, above the form. A GET has an unbound form, whose add_error fails
    (it has no cleaned_data): that was a 500 on every closed subscription's cancel and add-on page."""
    if not form.is_bound:
        form.full_clean()  # an empty error list, no validation
        form.cleaned_data = {}
    form.add_error(None, message)


def _filters(request: HttpRequest, data: QueryDict) -> tuple[ListForm, dict]:
    company = require_company(request)
    form = ListForm(data, cost_centres=selectors.cost_centres(company))
    c = form.cleaned()
    return form, {
        "q": c.get("q") or "",
        "status": c.get("status") or "",
        "product": c.get("product"),
        "cost_centre": c.get("cost_centre") or "",
        "sort": c.get("sort") or "name",
    }


def _filtered(request: HttpRequest, data: QueryDict):  # type: ignore[no-untyped-def]
    form, filters = _filters(request, data)
    return form, filters, selectors.subscription_list(require_company(request), **filters)


def _list_context(request: PortalRequest, data: QueryDict, bulk_form: BulkForm | None = None) -> dict:
    """The list page's context; ``data`` is the query string, or a bulk update's POST (whose hidden fields
    carry the list's search, filters, sort and page) when the list comes back with the bulk form's errors."""
    form, filters, qs = _filtered(request, data)
    products = selectors.products_in_order()
    counts = selectors.type_counts(require_company(request), **{k: v for k, v in filters.items() if k != "sort"})
    source = selectors.page_source(qs, filters["sort"], products, counts=counts)
    page = Paginator(source, PAGE_SIZE).get_page(data.get("page"))
    page.object_list = list(page.object_list)
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
        "can_change": AreaPolicy(request.membership).can_change("subscriptions"),
        "searching": any(filters[k] for k in ("q", "status", "product", "cost_centre")),
        "bulk": bulk_bar.bar_context(bulk_form, page.object_list),
    }
    return context


@area_view("subscriptions")
def index(request: PortalRequest) -> HttpResponse:
    context = _list_context(request, request.GET)
    htmx = getattr(request, "htmx", None)  # django-htmx's middleware
    if htmx and not htmx.boosted:
        return render(request, "subscriptions/list.html#rows", context)
    return render(request, "subscriptions/list.html", context)


def _subscription(request: HttpRequest, subscription_id: int) -> Subscription:
    return get_for_company(
        selectors.subscription_detail(require_company(request)), require_company(request), pk=subscription_id
    )


def _detail_context(request: HttpRequest, sub: Subscription, **extra) -> dict:  # type: ignore[no-untyped-def]
    return {
        "sub": sub,
        "history": selectors.history(sub),
        "earliest_cancel": actions.earliest_cancel_date(sub),
        "details_form": extra.pop("details_form", None) or DetailsForm(instance=sub, prefix="details"),
        "blocks_form": extra.pop("blocks_form", None) or BlocksForm(instance=sub, prefix="blocks"),
        "can_change_add_ons": sub.is_open and bool(actions.allowed_add_ons(sub)),
        "add_on_names": {a.code: a.display_name for a in AddOn.objects.all()},
        **extra,
    }


@area_view("subscriptions")
def detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    if request.method == "POST":
        form = DetailsForm(request.POST, instance=Subscription.objects.get(pk=sub.pk), prefix="details")
        if form.is_valid():
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
        try:
            if request.POST.get("confirm") == "1":
                actions.change_product(sub, target=target, effective=effective, by=Actor.from_request(request))
                messages.success(request, _("The subscription type was changed."))
                return redirect("subscriptions:detail", subscription_id=sub.pk)
            preview = actions.preview_product_change(sub, target=target, effective=effective)
        except ValidationError as error:
            form.add_error(None, error)
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
            try:
                actions.cancel(
                    sub,
                    on=form.cleaned_data["end_date"],
                    reason=form.cleaned_data["reason"],
                    by=Actor.from_request(request),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The subscription is cancelled."))
                return redirect("subscriptions:detail", subscription_id=sub.pk)
        else:
            confirm = True
    if not sub.is_open and not form.errors:
        _refuse(form, _("This subscription is already cancelled."))
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "subscriptions/cancel.html", {"sub": sub, "form": form, "confirm": confirm}, status=status)


@area_view("subscriptions")
def withdraw(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    if request.method != "POST":
        return redirect("subscriptions:detail", subscription_id=sub.pk)
    try:
        actions.withdraw_cancellation(sub, by=Actor.from_request(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The cancellation was withdrawn."))
    return redirect("subscriptions:detail", subscription_id=sub.pk)


@area_view("subscriptions")
def sim(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    form = SimOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.order_sim(
                sub,
                kind=form.cleaned_data["kind"],
                ship_to=form.cleaned_data["ship_to"],
                reason=form.cleaned_data["reason"],
                by=Actor.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
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
        try:
            if request.POST.get("confirm") == "1":
                actions.change_add_ons(sub, add_ons=chosen, by=Actor.from_request(request))
                messages.success(request, _("The add-ons were changed."))
                return redirect("subscriptions:detail", subscription_id=sub.pk)
            preview = actions.preview_add_ons(sub, add_ons=chosen)
        except ValidationError as error:
            form.add_error(None, error)
    if not sub.is_open and not form.errors:
        _refuse(form, _("Only a running subscription can change its add-ons."))
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "subscriptions/add_ons.html", {"sub": sub, "form": form, "preview": preview}, status=status)


@area_view("subscriptions")
def blocks(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    if request.method != "POST":
        return redirect("subscriptions:detail", subscription_id=sub.pk)
    form = BlocksForm(request.POST, instance=Subscription.objects.get(pk=sub.pk), prefix="blocks")
    if form.is_valid():
        try:
            changes = actions.set_blocks(
                sub, blocks={f: form.cleaned_data[f] for f in BLOCK_FIELDS}, by=Actor.from_request(request)
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
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
        try:
            actions.suspend(sub, reason=form.cleaned_data["reason"], by=Actor.from_request(request))
        except ValidationError as error:
            form.add_error(None, error)
        else:
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
    try:
        actions.resume(sub, by=Actor.from_request(request))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("subscriptions:detail", subscription_id=sub.pk)
    messages.success(request, _("The subscription is active again."))
    return redirect("subscriptions:detail", subscription_id=sub.pk)


# CSV -----------------------------------------------------------------------

# In the admin's language, like the values below them.
CSV_HEADER = [
    gettext_lazy("Name"),
    gettext_lazy("E-mail"),
    gettext_lazy("Phone number"),
    gettext_lazy("Subscription type"),
    gettext_lazy("Status"),
    gettext_lazy("Start date"),
    gettext_lazy("Binding ends"),
    gettext_lazy("End date"),
    gettext_lazy("Cost centre"),
    gettext_lazy("Salary number"),
    gettext_lazy("Invoice note"),
    gettext_lazy("SIM type"),
    gettext_lazy("ICCID"),
]
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_DANGEROUS):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(qs) -> Iterator[str]:  # type: ignore[no-untyped-def]
    products = {p.pk: neutralise(p.display_name) for p in Product.objects.all()}
    statuses = {value: str(label) for value, label in Subscription.Status.choices}
    sims = {value: str(label) for value, label in Subscription.SimType.choices}
    sims[""] = ""
    # Semicolons, as Excel expects with Danish regional settings (the invoice-details CSV does the same).
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow([str(h) for h in CSV_HEADER])
    # Dates come out of the database as ISO text (both SQLite and PostgreSQL), which skips a
    # Python date object per cell; that and plain dict look-ups keep the export well above 50,000 rows/s.
    rows = (
        qs.order_by(*selectors.SORTS["name"])
        .annotate(
            start_iso=Cast("start_date", CharField()),
            binding_iso=Cast("binding_end", CharField()),
            end_iso=Cast("end_date", CharField()),
        )
        .values_list(
            "user_name",
            "email",
            "phone_number",
            "product_id",
            "status",
            "start_iso",
            "binding_iso",
            "end_iso",
            "cost_centre",
            "salary_number",
            "invoice_note",
            "sim_type",
            "iccid",
        )
    )
    danger = _DANGEROUS
    buffer: list[str] = []
    writerow = writer.writerow
    for name, email, phone, product_id, status, start, binding, end, cc, salary, note, sim_type, iccid in rows.iterator(
        chunk_size=5000
    ):
        buffer.append(
            writerow(
                (
                    "'" + name if name.startswith(danger) else name,
                    "'" + email if email.startswith(danger) else email,
                    phone if not phone or (phone[0] == "+" and phone[1:].isdigit()) else neutralise(phone),
                    products.get(product_id, ""),
                    statuses.get(status, status),
                    start or "",
                    binding or "",
                    end or "",
                    "'" + cc if cc.startswith(danger) else cc,
                    "'" + salary if salary.startswith(danger) else salary,
                    "'" + note if note.startswith(danger) else note,
                    sims.get(sim_type, ""),
                    "'" + iccid if iccid.startswith(danger) else iccid,
                )
            )
        )
        if len(buffer) >= 1000:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


@area_view("subscriptions")
def export(request: HttpRequest) -> StreamingHttpResponse:
    company = require_company(request)
    _form, filters, qs = _filtered(request, request.GET)
    record(
        "subscription.exported",
        by=Actor.from_request(request),
        company=company,
        details={k: str(v) for k, v in filters.items() if v and k != "sort"},
    )
    base = _("subscription-overview")
    name = f"{base}-{slugify(company.name)}-{timezone.localdate().isoformat()}.csv"
    language = translation.get_language()

    def stream() -> Iterator[bytes]:
        # The body is produced after the view has returned: keep the page's language for headers and values.
        with translation.override(language):
            for chunk in csv_rows(qs):
                yield chunk.encode("utf-8")

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# Bulk update ----------------------------------------------------------------


def _bulk_queryset(request: HttpRequest, form: BulkForm):  # type: ignore[no-untyped-def]
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
        try:
            changed = actions.submit_bulk(
                qs,
                company=company,
                token=data.get("token") or "",
                by=Actor.from_request(request),
                reason=data.get("reason") or "",
                cost_centre=(data.get("cost_centre_value") or "").strip(),
                **kwargs,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if isinstance(changed, BulkJob):
                return redirect("subscriptions:bulk_job", bulk_job_id=changed.pk)
            messages.success(
                request,
                ngettext("%(count)s subscription was changed.", "%(count)s subscriptions were changed.", changed)
                % {"count": changed},
            )
            query = {k: v for k, v in context["params"].items() if v}
            url = reverse("subscriptions:index")
            return redirect(f"{url}?{_urlencode(query)}" if query else url)
    context["preview"] = actions.preview_bulk(qs, **kwargs)
    return render(request, "subscriptions/bulk.html", context, status=400 if form.errors else 200)


@area_view("subscriptions")
def bulk_job(request: HttpRequest, bulk_job_id: int) -> HttpResponse:
    """A queued bulk update: its progress (an htmx fragment polls while it runs) and its result."""
    # The id list can hold 50,000 ids; the page polled every 2 s does not need it.
    jobs = BulkJob.objects.select_related("target").defer("subscription_ids")
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

STEPS = ["user", "product", "number", "sim", "summary"]
STEP_TITLES = {
    "user": gettext_lazy("User"),
    "product": gettext_lazy("Subscription type"),
    "number": gettext_lazy("Number"),
    "sim": gettext_lazy("SIM card"),
    "summary": gettext_lazy("Summary"),
}
FORMS = {"user": UserStepForm, "product": ProductStepForm, "number": NumberStepForm, "sim": SimStepForm}


def _draft_key(request: HttpRequest) -> str:
    return f"subscriptions:draft:{require_company(request).pk}"


def _draft(request: HttpRequest) -> dict:
    draft = request.session.get(_draft_key(request))
    if not draft:
        draft = {"token": uuid.uuid4().hex}
        request.session[_draft_key(request)] = draft
    return draft


def _serialise(cleaned: dict) -> dict:
    out: dict[str, Any] = {}
    for key, value in cleaned.items():
        if isinstance(value, Product):
            out[key] = value.pk
        elif hasattr(value, "values_list"):
            out[key] = list(value.values_list("pk", flat=True))
        elif isinstance(value, list):
            out[key] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, datetime.date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


def _steps_for(draft: dict) -> list[str]:
    product = Product.objects.filter(pk=draft.get("product", {}).get("product")).first()
    if product is not None and product.kind == Product.Kind.LANDLINE:
        return [s for s in STEPS if s != "sim"]
    return STEPS


def _first_missing(draft: dict, steps: list[str]) -> str | None:
    for step in steps[:-1]:
        if step not in draft:
            return step
    return None


def _new_subscription(draft: dict) -> actions.NewSubscription:
    product = Product.objects.get(pk=draft["product"]["product"])
    add_ons = list(AddOn.objects.filter(pk__in=draft["product"].get("add_ons", [])))
    sim = draft.get("sim", {}) if product.kind != Product.Kind.LANDLINE else {}
    return actions.NewSubscription(
        user_name=draft["user"]["user_name"],
        email=draft["user"].get("email", ""),
        cost_centre=draft["user"].get("cost_centre", ""),
        product=product,
        add_ons=add_ons,
        number_choice=draft["number"]["choice"],
        phone_number=draft["number"]["phone_number"],
        port_operator=draft["number"].get("port_operator", "") if draft["number"]["choice"] == "port" else "",
        sim_choice=sim.get("choice", ""),
        iccid=sim.get("iccid", ""),
        ship_to=sim.get("ship_to", ""),
        port_signed_name=draft["number"].get("signed_name", ""),
        port_signed_at=datetime.datetime.fromisoformat(draft["number"]["signed_at"])
        if draft["number"].get("signed_at")
        else None,
        port_signed_ip=draft["number"].get("signed_ip") or None,
    )


def _form_kwargs(step: str, draft: dict) -> dict:
    if step != "number":
        return {}
    product = Product.objects.filter(pk=draft.get("product", {}).get("product")).first()
    return {"product_kind": product.kind if product else ""}


def _fees(new: actions.NewSubscription) -> list[OneOffFee]:
    return actions.guide_fees(new.sim_choice)


@area_view("subscriptions")
def create(request: HttpRequest, step: str = "user") -> HttpResponse:
    if request.GET.get("restart") == "1" and request.method == "GET":
        request.session.pop(_draft_key(request), None)
        return redirect("subscriptions:create_user")
    if step == "summary" and request.method == "POST" and request.POST.get("token"):
        # A second submit of a guide that is already confirmed: show what the first one created.
        done = (
            Subscription.objects.for_company(require_company(request)).filter(order_token=request.POST["token"]).first()
        )
        if done is not None:
            return redirect("subscriptions:detail", subscription_id=done.pk)
    draft = _draft(request)
    steps = _steps_for(draft)
    if step not in steps:
        return redirect("subscriptions:create_" + steps[-2])
    missing = _first_missing(draft, steps)
    if missing is not None and steps.index(missing) < steps.index(step):
        return redirect("subscriptions:create_" + missing)
    index = steps.index(step)
    context: dict = {
        "step": step,
        "steps": [(s, STEP_TITLES[s]) for s in steps],
        "index": index,
        "previous": steps[index - 1] if index else None,
        "token": draft["token"],
    }
    if step == "summary":
        new = _new_subscription(draft)
        fees = _fees(new)
        context |= {
            "new": new,
            "fees": fees,
            "fees_total": sum(f.price for f in fees),
            "port_operator": OPERATOR_LABELS.get(new.port_operator, new.port_operator),
            "monthly": new.product.monthly_price + sum(a.monthly_price for a in new.add_ons),
            "monthly_price": pricing.monthly_price(new.product, new.add_ons),
            # As the billing run will charge it: a transferred number starts (and is billed) when it has moved.
            "first_invoice": pricing.first_invoice(
                product=new.product,
                add_ons=new.add_ons,
                fees=fees,
                ordered=timezone.localdate(),
                start=None if new.number_choice == "port" else timezone.localdate(),
            ),
        }
        if request.method == "POST":
            if request.POST.get("token") != draft["token"]:
                context["error"] = _("This guide was changed in another window. Check the summary and confirm again.")
                return render(request, "subscriptions/create.html", context, status=400)
            try:
                sub = actions.create_subscription(
                    company=require_company(request),
                    data=new,
                    order_token=draft["token"],
                    by=Actor.from_request(request),
                )
            except ValidationError as error:
                context["error"] = error.messages[0]
                return render(request, "subscriptions/create.html", context, status=400)
            request.session.pop(_draft_key(request), None)
            if sub.port_in_requested:
                messages.success(
                    request,
                    _("The subscription was created. It becomes active when the number has moved to us."),
                )
            else:
                messages.success(request, _("The subscription was created. It becomes active within a few minutes."))
            return redirect("subscriptions:detail", subscription_id=sub.pk)
        return render(request, "subscriptions/create.html", context)
    form_class = FORMS[step]
    if request.method == "POST":
        form = form_class(request.POST, **_form_kwargs(step, draft))
        if form.is_valid():
            before = _form_kwargs("number", draft).get("product_kind")
            draft[step] = _serialise(form.cleaned_data)
            if step == "product" and form.cleaned_data["product"].kind == Product.Kind.LANDLINE:
                # A landline has no SIM: forget an answer from an earlier choice of type.
                draft.pop("sim", None)
            if step == "product" and (before == Product.Kind.LANDLINE) != (
                form.cleaned_data["product"].kind == Product.Kind.LANDLINE
            ):
                # A number kept from another operator must match the type (landline or mobile): ask again.
                if draft.get("number", {}).get("choice") == "port":
                    draft.pop("number", None)
            if step == "number" and form.cleaned_data["choice"] == "port":
                # The porting authorisation is signed now: record when, and from where (like the Numbers area).
                draft[step]["signed_at"] = timezone.now().isoformat()
                draft[step]["signed_ip"] = Actor.from_request(request).ip_address
            request.session.modified = True
            steps = _steps_for(draft)
            return redirect("subscriptions:create_" + steps[steps.index(step) + 1])
        context["form"] = form
        return render(request, "subscriptions/create.html", context, status=400)
    initial = dict(draft.get(step) or {})
    initial.pop("consent", None)  # consent is given afresh each time the step is answered
    context["form"] = form_class(initial=initial, **_form_kwargs(step, draft))
    return render(request, "subscriptions/create.html", context)
