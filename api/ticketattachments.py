"""TMF621 ticket attachments: list, upload (multipart/form-data, the portal's limits) and download.

Uploads go through the portal's own form field (``tickets.forms.AttachForm``: up to 5 files a time,
at most 10 MB each, PDF, PNG, JPEG or text, checked by their content) and action
(``tickets.actions.add_attachments``: audited, refused on a closed ticket). Our internal files are
never listed or served.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.datastructures import MultiValueDict
from ninja import File, Router
from ninja.files import UploadedFile

from api import schemas, tmf
from api.auth import APIKey, actor_of, client_of, company_of
from api.errors import ApiError
from api.idempotency import idempotent
from api.troubletickets import PATH as TICKET_PATH
from registry.scoping import get_for_company
from tickets import actions, selectors
from tickets.forms import AttachForm
from tickets.models import Ticket, TicketAttachment

router = Router(auth=APIKey("tickets"), tags=["TMF621 Trouble Ticket"])
PATH = "/tmf-api/troubleTicket/v4/attachment/"
# The kinds a ticket accepts (tickets.files.KINDS).
FILE_RESPONSE = {
    "200": {
        "description": "The file",
        "content": {kind: {} for kind in ("application/pdf", "image/png", "image/jpeg", "text/plain")},
    }
}


class AttachmentOut(schemas.Attachment):
    size: dict[str, Any] | None = None
    creationDate: str | None = None
    relatedEntity: list[schemas.Ref] | None = None


def render(request: HttpRequest, attachment: TicketAttachment) -> dict[str, Any]:
    return {
        "id": str(attachment.pk),
        "href": tmf.href(request, f"{PATH}{attachment.pk}"),
        "@type": "Attachment",
        "name": attachment.original_name,
        "mimeType": attachment.content_type,
        "size": {"amount": attachment.size, "units": "bytes"},
        "creationDate": tmf.iso(attachment.created_at),
        "url": tmf.href(request, f"{PATH}{attachment.pk}"),
        "relatedEntity": [
            {
                "id": str(attachment.ticket_id),
                "href": tmf.href(request, f"{TICKET_PATH}{attachment.ticket_id}"),
                "@referredType": "TroubleTicket",
            }
        ],
    }


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    company = company_of(request)
    return get_for_company(Ticket.objects.for_company(company), company, pk=ticket_id)


@router.get(
    "/troubleTicket/{ticket_id}/attachment",
    response=schemas.responses({200: list[AttachmentOut]}, 404),
    by_alias=True,
    summary="List a support ticket's files (yours and ours, never our internal ones)",
    operation_id="listTroubleTicketAttachment",
)
def list_attachments(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    rows = selectors.customer_attachments(company=ticket.company).filter(ticket=ticket).order_by("created_at", "id")
    items = [render(request, a) for a in rows]
    response = JsonResponse(items, safe=False)
    response["X-Total-Count"] = response["X-Result-Count"] = str(len(items))
    return response


@router.post(
    "/troubleTicket/{ticket_id}/attachment",
    response=schemas.responses({201: list[AttachmentOut]}, 404, 409),
    by_alias=True,
    summary="Add files to a support ticket: multipart/form-data, field `file`, up to 5 files of at most 10 MB "
    "(PDF, PNG, JPEG or text). Send an Idempotency-Key to retry safely",
    operation_id="createTroubleTicketAttachment",
)
def add_attachments(request: HttpRequest, ticket_id: int, file: list[UploadedFile] = File(...)) -> HttpResponse:
    ticket = _ticket(request, ticket_id)
    form = AttachForm(data={}, files=MultiValueDict({"attachments": list(file)}))
    if not form.is_valid():
        raise ApiError(
            422,
            "The files cannot be attached.",
            errors=[{"field": "file", "message": " ".join(str(m) for m in form.errors.get("attachments", []))}],
        )

    def write() -> HttpResponse:
        try:
            saved = actions.add_attachments(ticket, attachments=form.cleaned_data["attachments"], by=actor_of(request))
        except ValidationError as exc:
            # A closed ticket takes no more files.
            raise ApiError(409, " ".join(exc.messages), code="ticket_closed") from None
        response = JsonResponse([render(request, a) for a in saved], status=201, safe=False)
        response["Location"] = tmf.href(request, f"{TICKET_PATH}{ticket.pk}/attachment")
        return response

    return idempotent(request, client_of(request), write)


@router.get(
    "/attachment/{attachment_id}",
    response=schemas.responses({}, 404),
    summary="Download a support ticket's file",
    operation_id="retrieveTroubleTicketAttachment",
    openapi_extra={"responses": FILE_RESPONSE},
)
def download(request: HttpRequest, attachment_id: int) -> FileResponse:
    company = company_of(request)
    found = get_for_company(selectors.customer_attachments(company=company), company, pk=attachment_id)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=found.original_name, content_type=found.content_type)
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
