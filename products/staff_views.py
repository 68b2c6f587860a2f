"""The operator's staff pages: the fulfilment queue and the catalogue. Cross-company on purpose."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from common.forms import errors_to, errors_to_messages
from companies.permissions import staff_view
from products import actions, selectors
from products.forms import ItemForm, ShipForm, StaffFilterForm, StockForm
from products.models import Item, Order

PAGE_SIZE = 50
STOCK_PREFIX = "stock"  # the item form beside it has a "kind" field too: distinct names and ids


@staff_view
def queue(request: HttpRequest) -> HttpResponse:
    form = StaffFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    page = Paginator(selectors.staff_queue(state=state or None), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "products/staff/queue.html", {"page": page, "filter_form": form})


def _render_order(
    request: HttpRequest, order: Order, ship_form: ShipForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "products/staff/order.html",
        {
            "order": order,
            "lines": list(order.lines.all()),
            "ship_form": ship_form or ShipForm(order=order),
            "can_pick": order.state == Order.State.ACKNOWLEDGED,
            "can_ship": order.state in (Order.State.IN_PROGRESS, Order.State.PARTIAL)
            and order.completed_at is None
            and any(line.outstanding for line in order.lines.all()),
            "can_complete": order.state in (Order.State.IN_PROGRESS, Order.State.PARTIAL)
            and order.completed_at is None
            and bool(order.shipments.all()),
        },
        status=status,
    )


@staff_view
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_object_or_404(selectors.staff_order_detail(), pk=order_id)
    if request.method != "POST":
        return _render_order(request, order)
    action = request.POST.get("action", "")
    by = Actor.from_request(request)
    if action == "ship":
        form = ShipForm(request.POST, order=order)
        if form.is_valid():
            with errors_to(form):
                shipment = actions.ship_order(
                    order=order,
                    quantities=form.quantities(),
                    carrier=form.cleaned_data["carrier"],
                    tracking_number=form.cleaned_data["tracking_number"],
                    tracking_url=form.cleaned_data["tracking_url"],
                    serials=form.serials(),
                    by=by,
                )
                messages.success(
                    request, _("Shipped (%(tracking)s).") % {"tracking": shipment.tracking_number or "eSIM"}
                )
                return redirect("products:staff_order", order_id=order.pk)
        return _render_order(request, order, ship_form=form, status=400)
    handlers = {"pick": actions.pick_order, "complete": actions.complete_order}
    handler = handlers.get(action)
    if handler is None:
        messages.error(request, _("Unknown action."))
        return redirect("products:staff_order", order_id=order.pk)
    with errors_to_messages(request):
        handler(order=order, by=by)
        messages.success(request, _("Saved."))
    return redirect("products:staff_order", order_id=order.pk)


@staff_view
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "products/staff/catalogue.html", {"items": list(selectors.staff_catalogue())})


@transaction.atomic
def _save_item(form: ItemForm, *, by: Actor) -> Item:
    item: Item = form.save(commit=False)
    new = item.pk is None
    upload = form.cleaned_data.get("image")
    if upload:
        kind = form.image_kind
        # A name of our own (never the uploader's), with the extension of the type the content was checked to be.
        item.image.save(f"{uuid.uuid4().hex}{kind.extensions[0]}", upload, save=False)
        item.image_type = kind.content_type
    if new:
        item.stock = 0  # the units come in as a movement below, so the history adds up from the start
        item.save()
    else:
        # Every field but the stock: an order placed while the form was open keeps its reservation.
        item.save(update_fields=[name for name in form.Meta.fields] + ["image", "image_type"])
    record(
        "products.item_saved",
        by=by,
        company=None,
        target=item,
        details={"code": item.code, "price": item.price},
    )
    if new and form.cleaned_data.get("opening_stock"):
        actions.adjust_stock(item=item, kind="receive", quantity=form.cleaned_data["opening_stock"], by=by)
    return item


def _render_item(
    request: HttpRequest,
    item: Item | None,
    form: ItemForm,
    stock_form: StockForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, object] = {"form": form, "item": item}
    if item is not None:
        context["stock_form"] = stock_form or StockForm(
            initial={"seen": item.stock, "kind": "receive"}, prefix=STOCK_PREFIX
        )
        context["movements"] = Paginator(selectors.stock_movements(item=item), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(request, "products/staff/item_form.html", context, status=status)


def _adjust_stock(request: HttpRequest, item: Item) -> HttpResponse:
    form = StockForm(request.POST, prefix=STOCK_PREFIX)
    if form.is_valid():
        data = form.cleaned_data
        try:
            movement = actions.adjust_stock(
                item=item,
                kind=data["kind"],
                quantity=data["quantity"],
                seen=data["seen"],
                note=data["note"],
                by=Actor.from_request(request),
            )
        except actions.StockChanged as changed:
            # Nothing was saved: show the new value, and let the next try be checked against it.
            item.stock = changed.stock
            fresh = StockForm({**request.POST.dict(), f"{STOCK_PREFIX}-seen": changed.stock}, prefix=STOCK_PREFIX)
            fresh.is_valid()
            fresh.add_error(None, changed)
            return _render_item(request, item, ItemForm(instance=item), stock_form=fresh, status=409)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Stock of %(item)s changed by %(delta)s: now %(stock)s.")
                % {"item": item.name, "delta": f"{movement.delta:+d}", "stock": movement.stock_after},
            )
            return redirect("products:staff_item", item_id=item.pk)
    return _render_item(request, item, ItemForm(instance=item), stock_form=form, status=400)


def _item_form(request: HttpRequest, instance: Item | None) -> HttpResponse:
    if request.method == "POST" and instance is not None and request.POST.get("action") == "stock":
        return _adjust_stock(request, instance)
    form = ItemForm(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST":
        if form.is_valid():
            with errors_to(form):
                item = _save_item(form, by=Actor.from_request(request))
                messages.success(request, _("Saved %(item)s.") % {"item": item.name})
                return redirect("products:staff_catalogue")
        if instance is not None:
            instance.refresh_from_db()  # the invalid form changed the instance's attributes
        return _render_item(request, instance, form, status=400)
    return _render_item(request, instance, form)


@staff_view
def item_new(request: HttpRequest) -> HttpResponse:
    return _item_form(request, None)


@staff_view
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    return _item_form(request, get_object_or_404(Item, pk=item_id))
