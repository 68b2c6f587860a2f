"""The company's API clients in the portal: list, create (the key is shown once), rotate, revoke; webhook history."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from api import actions, selectors, webhooks
from api.forms import APIClientForm
from api.models import APIClient
from audit.actor import Actor
from common.forms import errors_to_messages
from companies.http import require_company
from companies.models import Membership
from companies.permissions import forbidden, whole_company_view
from registry.scoping import get_for_company


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def _client(request: HttpRequest, client_id: int) -> APIClient:
    company = require_company(request)
    return get_for_company(selectors.company_clients(company=company), company, pk=client_id)


def _show_key(request: HttpRequest, client: APIClient, token: str, *, status: int = 200) -> HttpResponse:
    response = render(request, "api/key.html", {"client": client, "token": token}, status=status)
    # The key is on this page only: never kept by a browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response


@whole_company_view
def client_list(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    may_manage = not membership.is_read_only
    form = APIClientForm(membership=membership, prefix="client")
    if request.method == "POST":
        if not may_manage:
            return forbidden(request, area_key=None, reason="read_only")
        form = APIClientForm(request.POST, membership=membership, prefix="client")
        if form.is_valid():
            try:
                client, token = actions.create_client(
                    company=require_company(request),
                    name=form.cleaned_data["name"],
                    access=form.cleaned_data["access"],
                    areas=form.cleaned_data["areas"],
                    by=Actor.from_request(request),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return _show_key(request, client, token, status=201)
    clients = list(selectors.company_clients_with_hubs(company=require_company(request)))
    status = 400 if form.is_bound else 200
    context = {
        "clients": clients,
        "has_hubs": any(client.active_hubs for client in clients),  # type: ignore[attr-defined]
        "form": form,
        "may_manage": may_manage,
    }
    return render(request, "api/clients.html", context, status=status)


@whole_company_view
def rotate(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    if request.method != "POST":
        return redirect("api_clients:list")
    if _membership(request).is_read_only:
        return forbidden(request, area_key=None, reason="read_only")
    try:
        token = actions.rotate_secret(client, by=Actor.from_request(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("api_clients:list")
    client.refresh_from_db()
    return _show_key(request, client, token)


@whole_company_view
def revoke(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    if request.method != "POST":
        return redirect("api_clients:list")
    if _membership(request).is_read_only:
        return forbidden(request, area_key=None, reason="read_only")
    actions.revoke_client(client, by=Actor.from_request(request))
    messages.success(
        request, _("The API client %(name)s was revoked: its key no longer works.") % {"name": client.name}
    )
    return redirect("api_clients:list")


@whole_company_view
def hub_detail(request: HttpRequest, hub_id: int) -> HttpResponse:
    """A webhook's delivery history: each event, its attempts, and Redeliver."""
    company = require_company(request)
    hub = get_for_company(selectors.company_hubs(company=company), company, pk=hub_id)
    page = Paginator(selectors.hub_deliveries(hub=hub), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "api/hub.html",
        {"hub": hub, "page": page, "may_manage": not _membership(request).is_read_only},
    )


@whole_company_view
def redeliver(request: HttpRequest, delivery_id: int) -> HttpResponse:
    company = require_company(request)
    delivery = get_for_company(selectors.company_deliveries(company=company), company, pk=delivery_id)
    if request.method != "POST":
        return redirect("api_clients:hub", hub_id=delivery.hub_id)
    if _membership(request).is_read_only:
        return forbidden(request, area_key=None, reason="read_only")
    with errors_to_messages(request):
        webhooks.redeliver(delivery, by=Actor.from_request(request))
        messages.success(request, _("The event is queued to be sent again."))
    return redirect("api_clients:hub", hub_id=delivery.hub_id)
