"""TMF ``/hub`` on each API: register a listener (callback + query), read and unregister the company's own.

Registering answers the signing secret once (``secret``); a retry with the same ``Idempotency-Key``
answers the same hub without it (the stored answer never holds a secret).
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from api import schemas, tmf
from api.auth import APIKey, actor_of, client_of, company_of
from api.idempotency import idempotent
from api.models import WebhookHub
from api.webhooks import AREA_OF_API, register_hub, rotate_hub_secret, unregister_hub
from registry.scoping import get_for_company


def _path(api: str) -> str:
    return f"/tmf-api/{api}/v4/hub/"


def render(request: HttpRequest, hub: WebhookHub, *, secret: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(hub.pk),
        "href": tmf.href(request, f"{_path(hub.api)}{hub.pk}"),
        "@type": "Hub",
        "callback": hub.callback,
        "query": hub.query,
        "eventType": list(hub.event_types),
        "creationDate": tmf.iso(hub.created_at),
        "secretRotationDate": tmf.iso(hub.secret_rotated_at),
        "previousSecretValidUntil": tmf.iso(hub.previous_secret_expires_at),
    }
    if secret is not None:
        body["secret"] = secret
    return body


def router_for(api: str) -> Router:
    """The hub operations of one API, behind that API's area (``AREA_OF_API``)."""
    router = Router(auth=APIKey(AREA_OF_API[api]), tags=[f"{WebhookHub.Api(api).label} events"])
    name = api[0].upper() + api[1:]

    def hubs(request: HttpRequest) -> Any:
        company = company_of(request)
        return WebhookHub.objects.filter(company=company, api=api, deleted_at__isnull=True)

    def one(request: HttpRequest, hub_id: int) -> WebhookHub:
        return get_for_company(hubs(request), company_of(request), pk=hub_id)

    @router.post(
        "/hub",
        response=schemas.responses({201: schemas.Hub}),
        by_alias=True,
        summary="Register a listener: a callback and the events to send it (the signing secret is answered once)",
        operation_id=f"register{name}Listener",
    )
    def register(request: HttpRequest, payload: schemas.HubCreate) -> HttpResponse:
        def write() -> HttpResponse:
            hub, secret = register_hub(
                client=client_of(request),
                api=api,
                callback=payload.callback,
                query=payload.query,
                by=actor_of(request),
            )
            return tmf.created(render(request, hub, secret=secret))

        return idempotent(request, client_of(request), write, redact=("secret",))

    @router.get(
        "/hub",
        response=schemas.responses({200: list[schemas.Hub]}),
        by_alias=True,
        summary="List the company's listeners on this API",
        operation_id=f"list{name}Listener",
    )
    def list_hubs(request: HttpRequest) -> HttpResponse:
        items = [render(request, hub) for hub in hubs(request).order_by("created_at", "id")]
        response = JsonResponse(items, safe=False)
        response["X-Total-Count"] = response["X-Result-Count"] = str(len(items))
        return response

    @router.get(
        "/hub/{hub_id}",
        response=schemas.responses({200: schemas.Hub}, 404),
        by_alias=True,
        summary="Read one listener",
        operation_id=f"retrieve{name}Listener",
    )
    def get_hub(request: HttpRequest, hub_id: int) -> HttpResponse:
        return JsonResponse(render(request, one(request, hub_id)))

    @router.post(
        "/hub/{hub_id}/rotateSecret",
        response=schemas.responses({200: schemas.Hub}, 404),
        by_alias=True,
        summary="Make a new signing secret (answered once); the old one also signs for 24 hours",
        operation_id=f"rotate{name}ListenerSecret",
    )
    def rotate_secret(request: HttpRequest, hub_id: int) -> HttpResponse:
        hub = one(request, hub_id)

        def write() -> HttpResponse:
            rotated, secret = rotate_hub_secret(hub, by=actor_of(request))
            body = render(request, rotated, secret=secret)
            return JsonResponse(body)

        return idempotent(request, client_of(request), write, redact=("secret",))

    @router.delete(
        "/hub/{hub_id}",
        response=schemas.responses({204: None}, 404),
        summary="Unregister a listener (nothing more is sent to it)",
        operation_id=f"unregister{name}Listener",
    )
    def delete_hub(request: HttpRequest, hub_id: int) -> HttpResponse:
        unregister_hub(one(request, hub_id), by=actor_of(request))
        return HttpResponse(status=204)

    return router
