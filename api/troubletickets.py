"""TMF621 Trouble Ticket: the company's support tickets, created and answered through the tickets actions."""

from collections.abc import Sequence
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router

from api import schemas, tmf
from api.auth import APIKey, actor_of, client_of, company_of
from api.errors import ApiError, field_errors
from api.idempotency import idempotent
from api.products import PATH as PRODUCT_PATH
from registry.scoping import get_for_company
from subscriptions import selectors as subscription_selectors
from tickets import actions, selectors
from tickets.models import Category, Priority, Status, Ticket, TicketMessage

router = Router(auth=APIKey("tickets"), tags=["TMF621 Trouble Ticket"])
PATH = "/tmf-api/troubleTicket/v4/troubleTicket/"

# TMF621 v4 has no "new": a ticket we have received is "acknowledged".
STATUS_TO_TMF: dict[str, str] = {
    Status.NEW: "acknowledged",
    Status.ACKNOWLEDGED: "acknowledged",
    Status.IN_PROGRESS: "inProgress",
    Status.PENDING: "pending",
    Status.HELD: "held",
    Status.RESOLVED: "resolved",
    Status.CLOSED: "closed",
    Status.REJECTED: "rejected",
    Status.CANCELLED: "cancelled",
}
STATUS_FROM_TMF: dict[str, list[str]] = {}
for _ours, _theirs in STATUS_TO_TMF.items():
    STATUS_FROM_TMF.setdefault(_theirs, []).append(_ours)
PRIORITY_TO_TMF: dict[str, str] = {
    Priority.LOW: "Low",
    Priority.NORMAL: "Medium",
    Priority.HIGH: "High",
    Priority.CRITICAL: "Critical",
}
PRIORITY_FROM_TMF = {v: k for k, v in PRIORITY_TO_TMF.items()}
SORTS: dict[str, tuple[str, ...]] = {
    "-lastUpdate": ("-last_activity_at", "-id"),
    "lastUpdate": ("last_activity_at", "id"),
    "-creationDate": ("-created_at", "-id"),
    "creationDate": ("created_at", "id"),
}
FIELDS = (
    "externalId",
    "name",
    "description",
    "ticketType",
    "priority",
    "severity",
    "status",
    "statusChangeDate",
    "statusChangeReason",
    "creationDate",
    "lastUpdate",
    "channel",
    "relatedEntity",
    "relatedParty",
    "note",
    "statusChange",
)
# The list leaves out the conversation and the status history (one query per page, not per ticket).
LIST_ATTRIBUTES = tuple(f for f in FIELDS if f not in ("note", "statusChange"))
LIST_FIELDS = (
    "id",
    "company_id",
    "number",
    "subject",
    "description",
    "category",
    "priority",
    "status",
    "status_changed_at",
    "status_reason",
    "related_subscription_id",
    "related_reference",
    "channel",
    "created_at",
    "last_activity_at",
)


def render_note(message: TicketMessage) -> dict[str, Any]:
    return {
        "id": str(message.pk),
        "@type": "Note",
        "author": message.author_name,
        "date": tmf.iso(message.created_at),
        "text": message.body,
    }


def render(request: HttpRequest, ticket: Ticket, *, full: bool = False) -> dict[str, Any]:
    related = []
    if ticket.related_subscription_id:
        related.append(
            {
                "id": str(ticket.related_subscription_id),
                "href": tmf.href(request, f"{PRODUCT_PATH}{ticket.related_subscription_id}"),
                "role": "subscription",
                "@referredType": "Product",
            }
        )
    if ticket.related_reference:
        related.append({"id": ticket.related_reference, "role": "reference", "@referredType": "Reference"})
    body: dict[str, Any] = {
        "id": str(ticket.pk),
        "href": tmf.href(request, f"{PATH}{ticket.pk}"),
        "@type": "TroubleTicket",
        "externalId": ticket.number,
        "name": ticket.subject,
        "description": ticket.description,
        "ticketType": ticket.category,
        "priority": PRIORITY_TO_TMF.get(ticket.priority, ticket.priority),
        "severity": PRIORITY_TO_TMF.get(ticket.priority, ticket.priority),
        "status": STATUS_TO_TMF.get(ticket.status, ticket.status),
        "statusChangeDate": tmf.iso(ticket.status_changed_at),
        "statusChangeReason": ticket.status_reason,
        "creationDate": tmf.iso(ticket.created_at),
        "lastUpdate": tmf.iso(ticket.last_activity_at),
        "channel": {"name": ticket.channel},
        "relatedEntity": related,
        "relatedParty": [{"id": str(ticket.company_id), "role": "customer", "@referredType": "Organization"}],
    }
    if full:
        body["note"] = [render_note(m) for m in ticket.visible_messages]  # type: ignore[attr-defined]
        body["statusChange"] = [
            {
                "status": STATUS_TO_TMF.get(c.to_status, c.to_status),
                "changeDate": tmf.iso(c.created_at),
                "changeReason": c.reason,
            }
            for c in ticket.status_changes.all()
        ]
    return body


def _one(request: HttpRequest, ticket_id: int) -> Ticket:
    company = company_of(request)
    return get_for_company(selectors.customer_ticket_detail(company=company), company, pk=ticket_id)


@router.get(
    "/troubleTicket",
    response=schemas.responses({200: list[schemas.TroubleTicket]}),
    by_alias=True,
    summary="List support tickets",
    operation_id="listTroubleTicket",
)
def list_tickets(
    request: HttpRequest,
    status: schemas.TicketStatus | None = None,
    ticket_type: schemas.TicketType | None = Query(None, alias="ticketType"),
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(tmf.DEFAULT_LIMIT, ge=1, le=tmf.MAX_LIMIT),
    sort: Literal["-lastUpdate", "lastUpdate", "-creationDate", "creationDate"] | None = None,
    fields: str | None = Query(
        None, pattern=schemas.fields_pattern(LIST_ATTRIBUTES), description="Attributes to return"
    ),
) -> HttpResponse:
    order = tmf.ordering(sort, SORTS, "-lastUpdate")
    wanted = tmf.projection(fields, LIST_ATTRIBUTES)
    qs = selectors.company_tickets(company=company_of(request), user=client_of(request).user)
    if status is not None:
        if status not in STATUS_FROM_TMF:
            raise ApiError(
                422, "Unknown status.", errors=[{"field": "status", "message": f"one of {', '.join(STATUS_FROM_TMF)}"}]
            )
        qs = qs.filter(status__in=STATUS_FROM_TMF[status])
    if ticket_type is not None:
        qs = qs.filter(category=ticket_type)
    qs = qs.only(*LIST_FIELDS).order_by(*order)

    def page(rows: Sequence[Ticket]) -> list[dict[str, Any]]:
        return [render(request, ticket) for ticket in rows]

    return tmf.list_response(request, qs, offset=offset, limit=limit, render=page, wanted=wanted)


@router.get(
    "/troubleTicket/{ticket_id}",
    response=schemas.responses({200: schemas.TroubleTicket}, 404),
    by_alias=True,
    summary="Read one support ticket with its conversation",
    operation_id="retrieveTroubleTicket",
)
def get_ticket(
    request: HttpRequest,
    ticket_id: int,
    fields: str | None = Query(None, pattern=schemas.fields_pattern(FIELDS), description="Attributes to return"),
) -> HttpResponse:
    wanted = tmf.projection(fields, FIELDS)
    return JsonResponse(tmf.project(render(request, _one(request, ticket_id), full=True), wanted))


@router.post(
    "/troubleTicket",
    response=schemas.responses({201: schemas.TroubleTicket}, 409),
    by_alias=True,
    summary="Create a support ticket (send an Idempotency-Key to retry safely)",
    operation_id="createTroubleTicket",
)
def create_ticket(request: HttpRequest, payload: schemas.TroubleTicketCreate) -> HttpResponse:
    company = company_of(request)
    errors = []
    if payload.ticketType not in Category.values:
        errors.append({"field": "ticketType", "message": f"one of {', '.join(Category.values)}"})
    if payload.priority not in PRIORITY_FROM_TMF:
        errors.append({"field": "priority", "message": f"one of {', '.join(PRIORITY_FROM_TMF)}"})
    subscription = None
    for index, entity in enumerate(payload.relatedEntity):
        if entity.referredType != "Product":
            errors.append({"field": f"relatedEntity[{index}].@referredType", "message": "only Product"})
            continue
        try:
            subscription = get_for_company(
                subscription_selectors.company_subscriptions(company), company, pk=int(entity.id)
            )
        except (Http404, ValueError):
            errors.append({"field": f"relatedEntity[{index}].id", "message": "no such product"})
    if errors:
        raise ApiError(422, "The request is not valid.", errors=errors)

    def write() -> HttpResponse:
        try:
            ticket, _created = actions.create_ticket(
                company=company,
                subject=payload.name,
                description=payload.description,
                category=payload.ticketType,
                priority=PRIORITY_FROM_TMF[payload.priority],
                related_subscription=subscription,
                by=actor_of(request),
            )
        except ValidationError as exc:
            raise ApiError(
                422,
                " ".join(exc.messages),
                errors=field_errors(exc, {"subject": "name", "description": "description"}),
            ) from None
        return tmf.created(render(request, _one(request, ticket.pk), full=True))

    return idempotent(request, client_of(request), write)


@router.post(
    "/troubleTicket/{ticket_id}/note",
    response=schemas.responses({201: schemas.Note}, 404, 409),
    by_alias=True,
    summary="Reply to a support ticket (send an Idempotency-Key to retry safely)",
    operation_id="createTroubleTicketNote",
)
def add_note(request: HttpRequest, ticket_id: int, payload: schemas.NoteCreate) -> HttpResponse:
    ticket = _one(request, ticket_id)
    if not payload.text.strip():
        raise ApiError(422, "Write a message.", errors=[{"field": "text", "message": "blank"}])

    def write() -> HttpResponse:
        try:
            message = actions.reply_as_customer(ticket, body=payload.text, by=actor_of(request))
        except ValidationError as exc:
            # Closed, rejected or cancelled: the ticket's state refuses replies.
            raise ApiError(409, " ".join(exc.messages), code="ticket_closed") from None
        response = JsonResponse(render_note(message), status=201)
        response["Location"] = tmf.href(request, f"{PATH}{ticket.pk}")
        return response

    return idempotent(request, client_of(request), write)
