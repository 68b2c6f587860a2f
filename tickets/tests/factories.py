import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from companies.tests.factories import CompanyFactory
from tickets.models import Category, Status, Ticket, TicketAttachment, TicketMessage

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: f"T-2026-{900000 + n:06d}")
    subject = factory.Sequence(lambda n: f"Problem nummer {n}")
    description = "Der er noget, der ikke virker."
    category = Category.TECHNICAL_FAULT
    status = Status.NEW
    created_at = factory.LazyFunction(timezone.now)
    last_activity_at = factory.LazyFunction(timezone.now)


class TicketMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketMessage

    ticket = factory.SubFactory(TicketFactory)
    company = factory.SelfAttribute("ticket.company")
    author_name = "Anne Kunde"
    body = "Hej, her er en besked."


class TicketAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketAttachment

    ticket = factory.SubFactory(TicketFactory)
    company = factory.SelfAttribute("ticket.company")
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="bilag.pdf"))
    original_name = "bilag.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)


URL_KWARGS = {
    "ticket_id": lambda company: TicketFactory(company=company).pk,
    "message_id": lambda company: TicketMessageFactory(ticket__company=company).pk,
    "attachment_id": lambda company: TicketAttachmentFactory(ticket__company=company).pk,
}
