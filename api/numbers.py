"""The Numbers area over the API (``/tmf-api/numbering/v4/``): the company's numbers, its port requests
and the main number's call flow. TM Forum has no v4 API for these; the resources keep the TMF shapes
(``id``, ``href``, ``@type``, ``relatedParty``, lists, errors).

- ``phoneNumber``: the company's landline numbers (and the main number); mobile numbers are products.
- ``portRequest``: list, read (with its ``statusChange`` history, to follow it), cancel (PATCH ``status``
  ``cancelled``, ``numbering.actions.cancel_port_request``: the portal's rules), create a landline request,
  validated by the portal's own form (``numbering.forms.PortRequestForm``) and made by its action; the
  authorisation is signed through the API (the typed name and the consent), as in the portal.
- ``callFlow``: the active version, and a new version saved by ``numbering.actions.save_call_flow``,
  which validates the document exactly as it does for the editor (``numbering.flows.validate``).
"""

import datetime
from collections.abc import Sequence
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from api import schemas, tmf
from api.auth import APIKey, actor_of, client_of, company_of
from api.errors import ApiError
from api.idempotency import idempotent
from api.products import PATH as PRODUCT_PATH
from companies.models import Company
from numbering import actions, flows, selectors
from numbering.forms import PortRequestForm
from numbering.models import CallFlowVersion, PhoneNumber, PortEvent, PortRequest
from registry.scoping import get_for_company

router = Router(auth=APIKey("numbers"), tags=["Numbers"])
BASE = "/tmf-api/numbering/v4/"
NUMBER_PATH = f"{BASE}phoneNumber/"
PORT_PATH = f"{BASE}portRequest/"
FLOW_PATH = f"{BASE}callFlow"

PortStatus = Literal["draft", "submitted", "pending", "scheduled", "completed", "rejected", "cancelled"]
# The form's fields -> the API's attributes (for 422 field paths).
FORM_FIELDS = {
    "numbers": "numbers",
    "current_operator": "currentOperator",
    "customer_number": "customerNumber",
    "holder_name": "holderName",
    "holder_street": "holderStreet",
    "holder_postcode": "holderPostcode",
    "holder_city": "holderCity",
    "cvr": "cvr",
    "desired_date": "desiredDate",
    "notification_emails": "notificationEmails",
    "notification_language": "notificationLanguage",
    "signed_name": "signedName",
    "consent": "consent",
    "authorisation_method": "signedName",
    "authorisation_file": "signedName",
}
# The action's refusals (ValidationError codes) -> the attribute they concern.
ACTION_FIELDS = {
    "numbers_taken": "numbers",
    "date_too_early": "desiredDate",
    "date_not_possible": "desiredDate",
    "not_signed": "signedName",
    "authorisation_missing": "signedName",
}


# -- schemas -------------------------------------------------------------------------------------------------


class PhoneNumberOut(Schema):
    id: str
    href: str | None = None
    type: str | None = Field(None, alias="@type")
    number: str | None = None
    seriesEnd: str | None = None
    kind: str | None = None
    status: str | None = None
    label: str | None = None
    routing: str | None = None
    portRequest: schemas.Ref | None = None
    relatedParty: list[schemas.Ref] | None = None


class PortNumberOut(Schema):
    number: str
    status: str | None = None
    note: str | None = None


class PortRequestOut(Schema):
    id: str
    href: str | None = None
    type: str | None = Field(None, alias="@type")
    name: str | None = None
    kind: str | None = None
    status: str | None = None
    statusChangeReason: str | None = None
    currentOperator: str | None = None
    customerNumber: str | None = None
    holderName: str | None = None
    cvr: str | None = None
    desiredDate: str | None = None
    scheduledDate: str | None = None
    creationDate: str | None = None
    lastUpdate: str | None = None
    numbers: list[PortNumberOut] | None = None
    relatedEntity: list[schemas.Ref] | None = None
    relatedParty: list[schemas.Ref] | None = None
    statusChange: list[schemas.StatusChange] | None = None


class PortRequestPatch(Schema):
    """Cancel a port request (the portal's **Cancel request**): the only change a customer makes over the API."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    status: Literal["cancelled"]
    statusChangeReason: str = Field("", max_length=300, description="Why (optional), shown on its timeline")


class PortRequestCreate(Schema):
    """A landline port request, as the portal's form takes it; the holder defaults to the company."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: str | None = Field(None, alias="@type")
    numbers: list[str] = Field(min_length=1, max_length=100, description="Danish landline numbers or ranges")
    currentOperator: str = Field(max_length=40)
    customerNumber: str = Field(max_length=60)
    holderName: str | None = Field(None, max_length=200)
    holderStreet: str | None = Field(None, max_length=200)
    holderPostcode: str | None = Field(None, max_length=10)
    holderCity: str | None = Field(None, max_length=100)
    cvr: str | None = Field(None, max_length=12)
    desiredDate: datetime.date
    notificationEmails: list[str] = Field(min_length=1, max_length=20)
    notificationLanguage: Literal["da", "en"] = "da"
    signedName: str = Field(max_length=200, description="Signs the porting authorisation for the holder")
    consent: bool = Field(description="The holder's explicit consent to move the numbers")
    submit: bool = Field(True, description="false keeps it as a draft")


class CallFlowOut(Schema):
    id: str
    href: str | None = None
    type: str | None = Field(None, alias="@type")
    version: int | None = None
    isDefault: bool | None = None
    comment: str | None = None
    creationDate: str | None = None
    document: dict[str, Any] | None = None


class CallFlowDocument(Schema):
    """The flow document (as the editor saves it and the portal's export shows it)."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(max_length=40)
    hours: dict[str, list[list[str]]]
    holidays: dict[str, Any]
    special_days: list[dict[str, Any]] = Field(default_factory=list, max_length=366)
    routes: dict[str, str]
    destinations: dict[str, dict[str, Any]] = Field(max_length=100)


class CallFlowCreate(Schema):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: str | None = Field(None, alias="@type")
    comment: str = Field("", max_length=200)
    document: CallFlowDocument


# -- rendering -----------------------------------------------------------------------------------------------


def _party(company_id: int) -> list[dict[str, Any]]:
    return [{"id": str(company_id), "role": "customer", "@referredType": "Organization"}]


def render_number(request: HttpRequest, number: PhoneNumber) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(number.pk),
        "href": tmf.href(request, f"{NUMBER_PATH}{number.pk}"),
        "@type": "PhoneNumber",
        "number": number.number,
        "seriesEnd": number.series_end or None,
        "kind": number.kind,
        "status": number.status,
        "label": number.label,
        "routing": number.routing,
        "relatedParty": _party(number.company_id),
    }
    if number.port_request_id:
        body["portRequest"] = {
            "id": str(number.port_request_id),
            "href": tmf.href(request, f"{PORT_PATH}{number.port_request_id}"),
            "@referredType": "PortRequest",
        }
    return body


def render_port(request: HttpRequest, port: PortRequest, *, full: bool = False) -> dict[str, Any]:
    related = []
    if port.subscription_id:
        related.append(
            {
                "id": str(port.subscription_id),
                "href": tmf.href(request, f"{PRODUCT_PATH}{port.subscription_id}"),
                "role": "subscription",
                "@referredType": "Product",
            }
        )
    body: dict[str, Any] = {
        "id": str(port.pk),
        "href": tmf.href(request, f"{PORT_PATH}{port.pk}"),
        "@type": "PortRequest",
        "name": port.reference,
        "kind": port.kind,
        "status": port.status,
        "statusChangeReason": port.status_reason,
        "currentOperator": port.current_operator,
        "customerNumber": port.customer_number,
        "holderName": port.holder_name,
        "cvr": port.cvr,
        "desiredDate": tmf.iso(port.desired_date),
        "scheduledDate": tmf.iso(port.scheduled_at),
        "creationDate": tmf.iso(port.created_at),
        "lastUpdate": tmf.iso(port.updated_at),
        "numbers": [{"number": n.number, "status": n.status, "note": n.note} for n in port.numbers.all()],
        "relatedEntity": related,
        "relatedParty": _party(port.company_id),
    }
    if full:
        body["statusChange"] = [
            {"status": e.new_status, "changeDate": tmf.iso(e.created_at), "changeReason": e.reason}
            for e in port.events.all()
        ]
    return body


def render_flow(request: HttpRequest, company: Company, version: CallFlowVersion | None) -> dict[str, Any]:
    if version is None:
        # Nothing saved yet: the editor starts from the default document.
        return {
            "id": "0",
            "href": tmf.href(request, FLOW_PATH),
            "@type": "CallFlow",
            "version": 0,
            "isDefault": True,
            "comment": "",
            "creationDate": None,
            "document": flows.default_document(),
        }
    return {
        "id": str(version.version),
        "href": tmf.href(request, FLOW_PATH),
        "@type": "CallFlow",
        "version": version.version,
        "isDefault": False,
        "comment": version.comment,
        "creationDate": tmf.iso(version.created_at),
        "document": version.document,
    }


def _ports(company: Company) -> Any:
    return selectors.port_requests(company=company).prefetch_related("numbers")


def _one_port(request: HttpRequest, port_id: int) -> PortRequest:
    company = company_of(request)
    qs = PortRequest.objects.for_company(company).prefetch_related(
        "numbers", Prefetch("events", queryset=PortEvent.objects.order_by("created_at", "id"))
    )
    return get_for_company(qs, company, pk=port_id)


# -- phone numbers -------------------------------------------------------------------------------------------


@router.get(
    "/phoneNumber",
    response=schemas.responses({200: list[PhoneNumberOut]}),
    by_alias=True,
    summary="List the company's numbers (landline numbers, series and the main number)",
    operation_id="listPhoneNumber",
)
def list_numbers(
    request: HttpRequest,
    kind: Literal["main", "landline", "series"] | None = None,
    status: Literal["active", "porting_in", "reserved", "porting_out"] | None = None,
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(tmf.DEFAULT_LIMIT, ge=1, le=tmf.MAX_LIMIT),
) -> HttpResponse:
    qs = selectors.phone_numbers(company=company_of(request)).select_related(None)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if status is not None:
        qs = qs.filter(status=status)
    qs = qs.order_by("kind", "number", "id")

    def page(rows: Sequence[PhoneNumber]) -> list[dict[str, Any]]:
        return [render_number(request, n) for n in rows]

    return tmf.list_response(request, qs, offset=offset, limit=limit, render=page, wanted=None)


@router.get(
    "/phoneNumber/{number_id}",
    response=schemas.responses({200: PhoneNumberOut}, 404),
    by_alias=True,
    summary="Read one number",
    operation_id="retrievePhoneNumber",
)
def get_number(request: HttpRequest, number_id: int) -> HttpResponse:
    company = company_of(request)
    return JsonResponse(
        render_number(request, get_for_company(selectors.phone_numbers(company=company), company, pk=number_id))
    )


# -- port requests -------------------------------------------------------------------------------------------


@router.get(
    "/portRequest",
    response=schemas.responses({200: list[PortRequestOut]}),
    by_alias=True,
    summary="List port requests (landline requests, and those of new subscriptions keeping their number)",
    operation_id="listPortRequest",
)
def list_ports(
    request: HttpRequest,
    status: PortStatus | None = None,
    kind: Literal["landline", "mobile"] | None = None,
    offset: int = Query(0, ge=0, le=10_000_000),
    limit: int = Query(tmf.DEFAULT_LIMIT, ge=1, le=tmf.MAX_LIMIT),
) -> HttpResponse:
    qs = _ports(company_of(request))
    if status is not None:
        qs = qs.filter(status=status)
    if kind is not None:
        qs = qs.filter(kind=kind)
    qs = qs.order_by("-created_at", "-id")

    def page(rows: Sequence[PortRequest]) -> list[dict[str, Any]]:
        return [render_port(request, p) for p in rows]

    return tmf.list_response(request, qs, offset=offset, limit=limit, render=page, wanted=None)


@router.get(
    "/portRequest/{port_id}",
    response=schemas.responses({200: PortRequestOut}, 404),
    by_alias=True,
    summary="Read one port request with its history (statusChange)",
    operation_id="retrievePortRequest",
)
def get_port(request: HttpRequest, port_id: int) -> HttpResponse:
    return JsonResponse(render_port(request, _one_port(request, port_id), full=True))


@router.patch(
    "/portRequest/{port_id}",
    response=schemas.responses({200: PortRequestOut}, 404, 409),
    by_alias=True,
    summary="Cancel a port request (status cancelled), with the portal's rules: not once it is scheduled",
    operation_id="patchPortRequest",
)
def patch_port(request: HttpRequest, port_id: int, payload: PortRequestPatch) -> HttpResponse:
    port = _one_port(request, port_id)
    if port.status != PortRequest.Status.CANCELLED:  # cancelling a cancelled request again changes nothing
        try:
            actions.cancel_port_request(port, reason=payload.statusChangeReason.strip(), by=actor_of(request))
        except ValidationError as exc:
            # Scheduled (contact us to stop it), completed, or changed by someone else meanwhile.
            raise ApiError(409, " ".join(exc.messages), code="not_cancellable") from None
    return JsonResponse(render_port(request, _one_port(request, port_id), full=True))


def _port_form(company: Company, payload: PortRequestCreate) -> PortRequestForm:
    data = {
        "numbers": "\n".join(payload.numbers),
        "current_operator": payload.currentOperator,
        "customer_number": payload.customerNumber,
        "holder_name": payload.holderName if payload.holderName is not None else company.name,
        "holder_street": payload.holderStreet if payload.holderStreet is not None else company.street,
        "holder_postcode": payload.holderPostcode if payload.holderPostcode is not None else company.postcode,
        "holder_city": payload.holderCity if payload.holderCity is not None else company.city,
        "cvr": payload.cvr if payload.cvr is not None else company.cvr,
        "desired_date": payload.desiredDate.isoformat(),
        "notification_emails": ", ".join(payload.notificationEmails),
        "notification_language": payload.notificationLanguage,
        "authorisation_method": PortRequest.Authorisation.SIGNED,
        "signed_name": payload.signedName,
        "consent": "on" if payload.consent else "",
    }
    return PortRequestForm(data)


@router.post(
    "/portRequest",
    response=schemas.responses({201: PortRequestOut}, 409),
    by_alias=True,
    summary="Port landline numbers to us (the portal's rules; send an Idempotency-Key to retry safely)",
    operation_id="createPortRequest",
)
def create_port(request: HttpRequest, payload: PortRequestCreate) -> HttpResponse:
    company = company_of(request)
    form = _port_form(company, payload)
    if not form.is_valid():
        raise ApiError(
            422,
            "The request is not valid.",
            errors=[
                {"field": FORM_FIELDS.get(name, name), "message": " ".join(str(m) for m in messages)}
                for name, messages in form.errors.items()
            ],
        )

    def write() -> HttpResponse:
        try:
            port = actions.create_port_request(
                company=company,
                details=form.details(),
                numbers=form.cleaned_data["numbers"],
                authorisation=form.authorisation(),
                submit=payload.submit,
                by=actor_of(request),
            )
        except ValidationError as exc:
            field = ACTION_FIELDS.get(getattr(exc, "code", "") or "", "body")
            raise ApiError(
                422, " ".join(exc.messages), errors=[{"field": field, "message": " ".join(exc.messages)}]
            ) from None
        return tmf.created(render_port(request, _one_port(request, port.pk), full=True))

    return idempotent(request, client_of(request), write)


# -- call flow -----------------------------------------------------------------------------------------------


@router.get(
    "/callFlow",
    response=schemas.responses({200: CallFlowOut}),
    by_alias=True,
    summary="The main number's active call flow (version 0, the default, when none is saved)",
    operation_id="retrieveCallFlow",
)
def get_flow(request: HttpRequest) -> HttpResponse:
    company = company_of(request)
    return JsonResponse(render_flow(request, company, selectors.active_flow(company=company)))


@router.post(
    "/callFlow",
    response=schemas.responses({201: CallFlowOut}, 409),
    by_alias=True,
    summary="Save a new version of the call flow, validated as the editor validates it (it becomes active)",
    operation_id="createCallFlow",
)
def create_flow(request: HttpRequest, payload: CallFlowCreate) -> HttpResponse:
    company = company_of(request)
    document = payload.document.model_dump()

    def write() -> HttpResponse:
        try:
            version = actions.save_call_flow(
                company=company, document=document, comment=payload.comment.strip(), by=actor_of(request)
            )
        except ValidationError as exc:
            raise ApiError(
                422,
                "The call flow is not valid.",
                errors=[{"field": "document", "message": message} for message in exc.messages],
            ) from None
        except (TypeError, ValueError, KeyError, AttributeError):
            # A shape the editor could never produce (e.g. a destination's numbers as lists).
            raise ApiError(
                422, "The call flow is not valid.", errors=[{"field": "document", "message": "not a valid flow"}]
            ) from None
        return tmf.created(render_flow(request, company, version))

    return idempotent(request, client_of(request), write)
