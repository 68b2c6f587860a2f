"""The Products area's pages for the company's admins (thin: form → action → response)."""

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.actor import Actor
from common.forms import errors_to, errors_to_messages
from common.money import vat_of
from companies.http import PortalRequest, require_company
from companies.permissions import AreaPolicy, area_view
from products import actions, basket, selectors
from products.forms import AddToBasketForm, CancelForm, CheckoutForm, ReissueForm, ReturnForm, SettingsForm
from products.models import Item, Order
from registry.scoping import get_for_company

AREA = "products"
PAGE_SIZE = 25
SUBSCRIPTION_CHOICES = 300


def _approval_url(request: HttpRequest) -> actions.ApprovalUrl:
    return lambda token: request.build_absolute_uri(reverse("products:approval:confirm", args=[token]))


# -- catalogue and basket ---------------------------------------------------------------------------------


@area_view(AREA)
def index(request: HttpRequest) -> HttpResponse:
    return _index(request)


def _index(request: HttpRequest, status: int = 200) -> HttpResponse:
    company = require_company(request)
    kind = request.GET.get("kind", "")
    if kind not in Item.Kind.values:
        kind = ""
    items = list(selectors.catalogue(kind=kind or None))
    # One list for every card; a company with very many subscriptions names the employee instead.
    choices = list(selectors.subscriptions_for_choice(company=company)[: SUBSCRIPTION_CHOICES + 1])
    return render(
        request,
        "products/index.html",
        {
            "items": items,
            "kind": kind,
            "kinds": Item.Kind.choices,
            "basket_count": len(basket.lines(request, company)),
            "subscription_choices": choices if len(choices) <= SUBSCRIPTION_CHOICES else None,
            "open_orders": selectors.orders(company=company).filter(state__in=Order.OPEN_STATES).count(),
        },
        status=status,
    )


@area_view(AREA)
@require_POST
def basket_add(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    form = AddToBasketForm(request.POST, company=company)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _index(request, status=400)
    data = form.cleaned_data
    line = actions.WantedLine(
        item_id=data["item"].pk,
        quantity=data["quantity"],
        subscription_id=data["subscription"].pk if data["subscription"] else None,
        employee_name=data["employee_name"],
        employee_email=data["employee_email"],
    )
    if basket.add(request, company, line):
        messages.success(request, _("%(item)s is in your basket.") % {"item": data["item"].display_name})
    else:
        messages.error(request, _("Your basket is full. Place the order, then start a new one."))
    return redirect("products:index")


@area_view(AREA)
@require_POST
def basket_remove(request: HttpRequest) -> HttpResponse:
    try:
        index = int(request.POST.get("index", ""))
    except ValueError:
        messages.error(request, _("Choose a line of your basket."))
        return redirect("products:basket")
    basket.remove(request, require_company(request), index)
    return redirect("products:basket")


def _basket_context(request: HttpRequest, form: CheckoutForm) -> dict[str, Any]:
    company = require_company(request)
    rows = basket.rows(request, company)
    total = sum(row.amount for row in rows)
    company_settings = actions.settings_for(company)
    reasons = actions.approval_reasons(company_settings=company_settings, total=total, items=[r.item for r in rows])
    return {
        "rows": rows,
        "total": total,
        "vat": vat_of(total),
        "total_with_vat": total + vat_of(total),
        "monthly_12": -(-(total + vat_of(total)) // 12),
        "monthly_24": -(-(total + vat_of(total)) // 24),
        "approval_reasons": reasons,
        "form": form,
        "company": company,
    }


@area_view(AREA)
def basket_view(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    form = CheckoutForm(request.POST or None, company=company)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            with errors_to(form):
                order = actions.place_order(
                    company=company,
                    lines=[row.line for row in basket.rows(request, company)],
                    delivery=actions.Delivery(
                        name=data["name"], street=data["street"], postcode=data["postcode"], city=data["city"]
                    ),
                    billing=data["billing"],
                    note=data["note"],
                    by=Actor.from_request(request),
                    approval_url=_approval_url(request),
                )
                basket.clear(request, company)
                if order.state == Order.State.HELD:
                    messages.success(
                        request,
                        _("Order %(order)s is placed. It waits for a second admin's approval; we sent them an e-mail.")
                        % {"order": order.reference},
                    )
                else:
                    messages.success(request, _("Order %(order)s is placed.") % {"order": order.reference})
                return redirect("products:order_detail", order_id=order.pk)
        status = 400
    return render(request, "products/basket.html", _basket_context(request, form), status=status)


# -- orders -----------------------------------------------------------------------------------------------


@area_view(AREA)
def order_list(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    page = Paginator(selectors.orders(company=company), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "products/order_list.html", {"page": page})


def _order(request: HttpRequest, order_id: int) -> Order:
    return get_for_company(
        selectors.order_detail(company=require_company(request)), require_company(request), pk=order_id
    )


def _order_context(request: HttpRequest, order: Order, **forms: Any) -> dict[str, Any]:
    user = cast(PortalRequest, request).user
    policy = AreaPolicy(getattr(request, "membership", None))
    lines = list(order.lines.all())
    returnable = [
        line
        for line in lines
        if line.item.is_hardware
        and line.shipped_quantity > line.returned_quantity
        and (deadline := actions.return_deadline(line)) is not None
        and deadline >= timezone.now()
    ]
    return {
        "order": order,
        "lines": lines,
        "can_decide": order.state == Order.State.HELD and policy.can_change(AREA) and user.pk != order.placed_by_id,
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "return_form": forms.get("return_form") or (ReturnForm(order=order) if returnable else None),
        "reissue_form": ReissueForm(),
        "return_days": actions.RETURN_DAYS,
    }


@area_view(AREA)
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    return render(request, "products/order_detail.html", _order_context(request, order))


@area_view(AREA)
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    if request.method != "POST":
        return redirect("products:order_detail", order_id=order.pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        with errors_to_messages(request):
            actions.cancel_order(order=order, reason=form.cleaned_data["reason"], by=Actor.from_request(request))
            messages.success(request, _("Order %(order)s is cancelled.") % {"order": order.reference})
    return redirect("products:order_detail", order_id=order.pk)


@area_view(AREA)
def order_decide(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    if request.method != "POST":
        return redirect("products:order_detail", order_id=order.pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "refuse"):
        messages.error(request, _("Choose to approve or refuse the order."))
        return redirect("products:order_detail", order_id=order.pk)
    with errors_to_messages(request):
        actions.decide_order(
            order=order,
            approve=decision == "approve",
            user=cast(PortalRequest, request).user,
            by=Actor.from_request(request),
        )
        messages.success(request, _("Order approved.") if decision == "approve" else _("Order refused."))
    return redirect("products:order_detail", order_id=order.pk)


@area_view(AREA)
def order_return(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    if request.method != "POST":
        return redirect("products:order_detail", order_id=order.pk)
    form = ReturnForm(request.POST, order=order)
    if form.is_valid():
        with errors_to(form):
            returned = actions.request_return(
                order=order,
                line_id=form.cleaned_data["line"],
                quantity=form.cleaned_data["quantity"],
                reason=form.cleaned_data["reason"],
                by=Actor.from_request(request),
            )
            messages.success(
                request,
                _("The return is registered (%(outcome)s). Send the hardware back with the order number.")
                % {"outcome": returned.outcome}
                if returned.outcome
                else _("The return is registered. Send the hardware back with the order number."),
            )
            return redirect("products:order_detail", order_id=order.pk)
    order = _order(request, order_id)
    return render(request, "products/order_detail.html", _order_context(request, order, return_form=form), status=400)


@area_view(AREA)
def order_reissue(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    if request.method != "POST":
        return redirect("products:order_detail", order_id=order.pk)
    form = ReissueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address."))
        return redirect("products:order_detail", order_id=order.pk)
    with errors_to_messages(request):
        activation = actions.reissue_esim(
            order=order,
            activation_id=form.cleaned_data["activation"],
            email=form.cleaned_data["email"] or "",
            by=Actor.from_request(request),
        )
        messages.success(request, _("A new activation code was sent to %(email)s.") % {"email": activation.email})
    return redirect("products:order_detail", order_id=order.pk)


# -- the company's rules ----------------------------------------------------------------------------------


@area_view(AREA)
def settings_view(request: HttpRequest) -> HttpResponse:
    company = require_company(request)
    current = actions.settings_for(company)
    initial = {
        "approval_limit": current.approval_limit,
        "approve_phones": current.approve_phones,
        "zero_touch_provider": current.zero_touch_provider,
        "zero_touch_org_id": current.zero_touch_org_id,
        "employees_may_request": current.employees_may_request,
        "employee_kinds": current.employee_kinds,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            with errors_to(form):
                actions.save_settings(company=company, by=Actor.from_request(request), **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("products:settings")
        return render(request, "products/settings.html", {"form": form}, status=400)
    return render(request, "products/settings.html", {"form": form})


# -- public pages: the approval e-mail's and the eSIM e-mail's confirm pages ----------------------------------


def approval_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the order and two buttons; only the POST decides (mail scanners follow links with GET).

    The signed token names the order and the admin it was sent to; that admin decides."""
    found = actions.order_for_approval_token(token)
    if found is None:
        return render(request, "products/approval_confirm.html", {"invalid": True}, status=404)
    order, approver = found
    lines = list(order.lines.select_related("item"))
    context: dict[str, Any] = {"order": order, "lines": lines, "approver": approver}
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision not in ("approve", "refuse"):
            context["error"] = _("Choose to approve or refuse the order.")
            return render(request, "products/approval_confirm.html", context, status=400)
        try:
            actions.decide_order(
                order=order, approve=decision == "approve", user=approver, by=Actor(user=approver, label=approver.email)
            )
        except actions.ValidationError as error:
            context["error"] = " ".join(error.messages)
            return render(request, "products/approval_confirm.html", context, status=409)
        order.refresh_from_db()
        context["done"] = decision
    return render(request, "products/approval_confirm.html", context)


approval_confirm.public = True  # type: ignore[attr-defined]


def esim_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; the POST shows the QR code (a scanner's GET does not open the activation)."""
    activation = actions.activation_for_token(token)
    if activation is None:
        return render(request, "products/esim_confirm.html", {"invalid": True}, status=404)
    context: dict[str, Any] = {"activation": activation}
    if request.method == "POST":
        from products.tasks import qr_svg

        actions.open_activation(activation=activation, by=Actor.system(activation.email))
        context["qr"] = qr_svg(activation.activation_code)
    response = render(request, "products/esim_confirm.html", context)
    response["Cache-Control"] = "no-store"
    return response


esim_confirm.public = True  # type: ignore[attr-defined]


@login_required
def image(request: HttpRequest, item_id: int) -> HttpResponseBase:
    """A catalogue image, from MEDIA_ROOT through this view only: the type it was checked to be, never run."""
    item = Item.objects.filter(pk=item_id).first()
    if item is None or not item.image or item.image_type not in ("image/png", "image/jpeg"):
        raise Http404
    if not item.is_active and not request.user.is_staff:
        raise Http404
    try:
        handle = item.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=item.image_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
