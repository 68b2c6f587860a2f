import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.tests.factories import PDF_BYTES, TicketFactory


@pytest.fixture
def ticket_a(personas):
    return TicketFactory(company=personas.company_a, created_by=personas.admin_a)


@pytest.fixture
def ticket_b(personas):
    return TicketFactory(company=personas.company_b, created_by=personas.outsider)


@pytest.fixture
def pdf_upload():
    def make(name="faktura.pdf", content=PDF_BYTES):
        return SimpleUploadedFile(name, content, content_type="application/pdf")

    return make
