"""The same invoice shows the same money, date and phone strings on the page, in the PDF and in the e-mail,
per language; phone numbers look the same on the subscriptions list, the invoice page and the activity log."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from audit.actor import Actor
from audit.events import record
from common import formats
from invoicing.billing import run_billing
from invoicing.models import Invoice
from invoicing.tasks import _message, ensure_pdf
from invoicing.tests.factories import ProductFactory, SubscriptionFactory
from subscriptions.models import Subscription

pytestmark = pytest.mark.django_db

PHONE = "+4520123456"


def _pdf_text(invoice: Invoice) -> str:
    invoice = ensure_pdf(invoice)
    invoice.refresh_from_db()
    with invoice.pdf.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    # Paragraphs wrap at any space: compare with the lines joined.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def billed(personas, system):
    company = personas.company_a
    SubscriptionFactory(
        company=company,
        user_name="Mette Nielsen",
        phone_number=PHONE,
        product=ProductFactory(name="Mobile 30 GB", name_da="Mobil 30 GB", monthly_price=1234550),
    )
    return company


@pytest.mark.parametrize(
    ("language", "total", "due"),
    [("da", "15.431,88 kr.", "15.12.2026"), ("en", "DKK 15,431.88", "15/12/2026")],
)
def test_the_total_reads_the_same_on_the_page_in_the_pdf_and_in_the_e_mail(
    billed, personas, login, system, language, total, due
):
    billed.invoice_language = language
    billed.save()
    personas.admin_a.language = language
    personas.admin_a.save()
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    invoice = Invoice.objects.select_related("company").get(company=billed)
    with translation.override(language):
        assert formats.money(invoice.total) == total  # 12.345,50 kr. + 25 % VAT
        assert formats.date(invoice.due_date) == due

    page = login(personas.admin_a).get(reverse("invoice:detail", args=[invoice.pk])).content.decode()
    pdf = _pdf_text(invoice)
    mail = _message(ensure_pdf(invoice), "bogholderi@alfa.dk").body

    for where, text in (("page", page), ("PDF", pdf), ("e-mail", mail)):
        assert total in text, where
        assert due in text, where
    # No other spelling of the same amount anywhere.
    for other in ("15.431,88 kr.", "DKK 15,431.88", "15431.88", "15,431.88 kr."):
        if other != total:
            assert other not in page and other not in pdf and other not in mail


def test_a_phone_number_looks_the_same_on_the_list_the_invoice_and_the_activity_log(billed, personas, login, system):
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    invoice = Invoice.objects.get(company=billed)
    subscription = Subscription.objects.get(company=billed)
    record("subscription.details_changed", by=Actor(user=personas.admin_a), company=billed, target=subscription)
    client = login(personas.admin_a)

    pages = {
        "list": client.get(reverse("subscriptions:index")).content.decode(),
        "invoice": client.get(reverse("invoice:detail", args=[invoice.pk])).content.decode(),
        "activity log": client.get(reverse("audit:list")).content.decode(),
        "PDF": _pdf_text(invoice),
    }
    for where, text in pages.items():
        assert "20 12 34 56" in text, where
        assert PHONE not in text, where


@pytest.mark.parametrize(
    ("reader", "shown", "hidden"), [("en", "Mobile 30 GB", "Mobil 30 GB"), ("da", "Mobil 30 GB", "Mobile 30 GB")]
)
def test_a_danish_invoice_names_its_products_in_the_readers_language_on_the_page(
    billed, personas, login, system, reader, shown, hidden
):
    billed.invoice_language = "da"
    billed.save()
    Subscription.objects.filter(company=billed).update(start_date=dt.date(2026, 11, 21))  # pro rata: 10 of 30 days
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    invoice = Invoice.objects.get(company=billed)
    personas.admin_a.language = reader
    personas.admin_a.save()

    page = login(personas.admin_a).get(reverse("invoice:detail", args=[invoice.pk])).content.decode()
    users = page.split('data-testid="user-row"')[1]
    assert shown in users and hidden not in users
    assert ("10 of 30 days" if reader == "en" else "10 af 30 dage") in users
    # The document itself stays as issued, in Danish.
    assert "Mobil 30 GB, 10 af 30 dage" in _pdf_text(invoice)


def test_the_companys_own_section_is_named_in_the_readers_language(personas, login, system):
    from invoicing.actions import add_charge

    company = personas.company_a
    company.invoice_language = "da"
    company.save()
    add_charge(company=company, description="Headset", amount=89900, on=dt.date(2026, 11, 12), by=system)
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    invoice = Invoice.objects.get(company=company)
    page = login(personas.admin_a).get(reverse("invoice:detail", args=[invoice.pk])).content.decode()
    assert "Other charges" in page and "Øvrige ydelser" not in page
