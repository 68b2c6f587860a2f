"""TMF621 ticket attachments: the portal's limits (5 files, 10 MB, PDF/PNG/JPEG/text by content)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from tickets.files import MAX_ATTACHMENT_BYTES
from tickets.models import Status, TicketAttachment
from tickets.tests.factories import PDF_BYTES, PNG_BYTES, TicketAttachmentFactory, TicketFactory

pytestmark = pytest.mark.django_db

TICKETS = "/tmf-api/troubleTicket/v4/troubleTicket"


def pdf(name="faktura.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_it_uploads_lists_and_downloads_files(personas, api_a):
    ticket = TicketFactory(company=personas.company_a)
    png = SimpleUploadedFile("skærm.png", PNG_BYTES, content_type="image/png")  # PNG bytes hold NULs
    response = api_a.upload(f"{TICKETS}/{ticket.pk}/attachment", {"file": [pdf(), png]})
    assert response.status_code == 201, response.content
    assert [(a["name"], a["mimeType"]) for a in response.json()] == [
        ("faktura.pdf", "application/pdf"),
        ("skærm.png", "image/png"),
    ]
    listed = api_a.get(f"{TICKETS}/{ticket.pk}/attachment").json()
    assert listed == response.json()
    download = api_a.get(listed[0]["url"])
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF_BYTES
    event = AuditEvent.objects.for_company(personas.company_a).get(action="ticket.attached")
    assert event.actor == api_a.client.user


@pytest.mark.parametrize(
    "files",
    [
        [pdf(content=PDF_BYTES + b"0" * MAX_ATTACHMENT_BYTES)],
        [SimpleUploadedFile("program.exe", b"MZ\x90\x00" + b"\x00" * 60)],
        [SimpleUploadedFile("script.sh", b"#!/bin/sh\nrm -rf /\n")],
        [pdf(name="billede.png")],
        [pdf(name=f"{n}.pdf") for n in range(6)],
        [SimpleUploadedFile("tom.txt", b"")],
    ],
    ids=["too-big", "program", "script", "mismatch", "six-files", "empty"],
)
def test_it_refuses_what_the_portal_refuses(personas, api_a, files):
    ticket = TicketFactory(company=personas.company_a)
    response = api_a.upload(f"{TICKETS}/{ticket.pk}/attachment", {"file": files})
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "file"
    assert not TicketAttachment.objects.for_company(personas.company_a).exists()


def test_a_closed_ticket_takes_no_files(personas, api_a):
    ticket = TicketFactory(company=personas.company_a, status=Status.CLOSED)
    response = api_a.upload(f"{TICKETS}/{ticket.pk}/attachment", {"file": [pdf()]})
    assert response.status_code == 409
    assert response.json()["code"] == "ticket_closed"


def test_a_retried_upload_with_its_key_is_one_file(personas, api_a):
    ticket = TicketFactory(company=personas.company_a)
    url = f"{TICKETS}/{ticket.pk}/attachment"
    first = api_a.upload(url, {"file": [pdf()]}, HTTP_IDEMPOTENCY_KEY="bilag-1")
    again = api_a.upload(url, {"file": [pdf()]}, HTTP_IDEMPOTENCY_KEY="bilag-1")
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    other = api_a.upload(url, {"file": [pdf(name="andet.pdf")]}, HTTP_IDEMPOTENCY_KEY="bilag-1")
    assert other.json()["code"] == "idempotency_key_reused"
    assert TicketAttachment.objects.for_company(personas.company_a).count() == 1


def test_internal_and_foreign_files_are_not_found(personas, api_a):
    ticket = TicketFactory(company=personas.company_a)
    internal = TicketAttachmentFactory(ticket=ticket, is_internal=True)
    theirs = TicketAttachmentFactory(ticket=TicketFactory(company=personas.company_b))
    assert api_a.get(f"{TICKETS}/{ticket.pk}/attachment").json() == []
    assert api_a.get(f"/tmf-api/troubleTicket/v4/attachment/{internal.pk}").status_code == 404
    assert api_a.get(f"/tmf-api/troubleTicket/v4/attachment/{theirs.pk}").status_code == 404
    assert api_a.upload(f"{TICKETS}/{theirs.ticket_id}/attachment", {"file": [pdf()]}).status_code == 404


def test_too_many_files_in_one_upload_is_a_400_not_a_500(personas, api_a, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    ticket = TicketFactory(company=personas.company_a)
    response = api_a.upload(f"{TICKETS}/{ticket.pk}/attachment", {"file": [pdf(name=f"{n}.pdf") for n in range(3)]})
    assert response.status_code == 400
    assert response.json()["status"] == "400"


def test_a_multipart_body_without_a_boundary_is_a_400_not_a_500(personas, api_a):
    ticket = TicketFactory(company=personas.company_a)
    response = api_a.http.post(
        f"{TICKETS}/{ticket.pk}/attachment",
        b"file=x",
        content_type="multipart/form-data",
        HTTP_AUTHORIZATION=f"Bearer {api_a.token}",
    )
    assert response.status_code == 400


def test_the_ticket_lists_its_files_but_not_our_internal_ones(personas, api_a):
    ticket = TicketFactory(company=personas.company_a)
    TicketAttachmentFactory(ticket=ticket, is_internal=True)
    api_a.upload(f"{TICKETS}/{ticket.pk}/attachment", {"file": [pdf()]})
    files = api_a.get(f"{TICKETS}/{ticket.pk}").json()["attachment"]
    assert [f["name"] for f in files] == ["faktura.pdf"]
    assert b"".join(api_a.get(files[0]["url"]).streaming_content) == PDF_BYTES
    assert "attachment" not in api_a.get(TICKETS).json()[0]
