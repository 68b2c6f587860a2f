import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tickets.files import MAX_ATTACHMENT_BYTES
from tickets.models import TicketAttachment
from tickets.tests.factories import EXE_BYTES, PDF_BYTES, PNG_BYTES, TicketAttachmentFactory

pytestmark = pytest.mark.django_db


def _attach(client, ticket, *files):
    return client.post(reverse("tickets:attach", kwargs={"ticket_id": ticket.pk}), {"attachments": list(files)})


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("faktura.pdf", PDF_BYTES, "application/pdf"),
        ("skaerm.png", PNG_BYTES, "image/png"),
        ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        ("log.txt", "Fejl kl. 10:42 på linje 3 — æøå\n".encode(), "text/plain"),
    ],
)
def test_it_accepts_the_allowed_kinds(personas, login, ticket_a, name, content, content_type):
    response = _attach(login(personas.admin_a), ticket_a, SimpleUploadedFile(name, content))
    assert response.status_code == 302
    attachment = TicketAttachment.all_companies.get()
    assert attachment.content_type == content_type
    assert attachment.original_name == name
    assert attachment.file.read() == content


@pytest.mark.parametrize(
    "name, content",
    [
        ("invoice.pdf", EXE_BYTES),  # a Windows program renamed .pdf
        ("photo.png", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 40),  # a Linux program renamed .png
        ("notes.txt", b"GIF89a\x01\x00\x01\x00\x00\x00\x00"),
        ("report.pdf", b"just some text pretending to be a pdf"),
        ("script.sh", b"#!/bin/sh\nrm -rf /\n"),
        ("program.exe", EXE_BYTES),
    ],
)
def test_it_refuses_spoofed_or_unsupported_files(personas, login, ticket_a, name, content):
    response = _attach(login(personas.admin_a), ticket_a, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert response.context["attach_form"].errors
    assert not TicketAttachment.all_companies.exists()


def test_it_refuses_files_over_10_mb(personas, login, ticket_a):
    big = SimpleUploadedFile("stor.pdf", PDF_BYTES + b"0" * (MAX_ATTACHMENT_BYTES + 1 - len(PDF_BYTES)))
    response = _attach(login(personas.admin_a), ticket_a, big)
    assert response.status_code == 400
    assert b"at most 10" in response.content
    assert not TicketAttachment.all_companies.exists()


def test_it_refuses_all_files_when_one_is_bad(personas, login, ticket_a):
    response = _attach(
        login(personas.admin_a),
        ticket_a,
        SimpleUploadedFile("ok.pdf", PDF_BYTES),
        SimpleUploadedFile("bad.pdf", EXE_BYTES),
    )
    assert response.status_code == 400
    assert not TicketAttachment.all_companies.exists()


def test_it_refuses_an_empty_upload(personas, login, ticket_a):
    assert _attach(login(personas.admin_a), ticket_a).status_code == 400


def test_it_stores_files_outside_the_static_path_under_a_random_name(personas, login, ticket_a, settings):
    _attach(login(personas.admin_a), ticket_a, SimpleUploadedFile("../../etc/passwd.pdf", PDF_BYTES))
    attachment = TicketAttachment.all_companies.get()
    assert attachment.original_name == "passwd.pdf"
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    assert "passwd" not in attachment.file.name
    assert not str(settings.MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))


def test_it_serves_a_file_as_a_download_with_a_safe_name(personas, login, ticket_a):
    attachment = TicketAttachmentFactory(ticket=ticket_a, original_name='bilag "æ".pdf')
    response = login(personas.admin_a).get(reverse("tickets:attachment", kwargs={"attachment_id": attachment.pk}))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''bilag%20%22%C3%A6%22.pdf" in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_it_answers_404_for_another_companys_file(personas, login, ticket_b):
    attachment = TicketAttachmentFactory(ticket=ticket_b)
    url = reverse("tickets:attachment", kwargs={"attachment_id": attachment.pk})
    assert login(personas.admin_a).get(url).status_code == 404


def test_it_lets_staff_download_any_companys_file(personas, login, ticket_b):
    attachment = TicketAttachmentFactory(ticket=ticket_b)
    url = reverse("tickets:staff_attachment", kwargs={"attachment_id": attachment.pk})
    assert login(personas.staff).get(url).status_code == 200
    assert login(personas.admin_a).get(url).status_code == 404


def test_it_adds_files_with_a_reply(personas, login, ticket_a, pdf_upload):
    login(personas.admin_a).post(
        reverse("tickets:reply", kwargs={"ticket_id": ticket_a.pk}),
        {"body": "Se vedhæftet", "attachments": [pdf_upload()]},
    )
    attachment = TicketAttachment.all_companies.get()
    assert attachment.message.body == "Se vedhæftet"
