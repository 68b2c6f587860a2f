"""An invoice is issued in the company's invoice language, but its page and details CSV follow the reader:
add-ons, fees, usage and late usage lines read in English on English pages and in Danish on Danish ones,
while the PDF (the document as issued) and every amount stay as they were."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from common import formats
from invoicing.actions import add_charge
from invoicing.billing import run_billing
from invoicing.models import Invoice, InvoiceLine, UsageRecord
from invoicing.tasks import _message, ensure_pdf
from invoicing.tests.factories import AddOnFactory, OneOffFeeFactory, ProductFactory, SubscriptionFactory
from invoicing.tests.test_one_format import _pdf_text

pytestmark = pytest.mark.django_db

PHONE = "+4520123456"
DANISH = ["Mobil 30 GB", "EU-data Roaming", "SIM-kort", "Tale (minutter)", "Forbrug indberettet for sent, oktober 2026"]
ENGLISH = ["Mobile 30 GB", "EU data Roaming", "SIM card", "Voice (minutes)", "Late usage, October 2026"]


def _usage(sub, when: dt.date, *, late: bool = False) -> None:
    UsageRecord.objects.create(
        company=sub.company,
        subscription=sub,
        type=UsageRecord.Type.VOICE,
        time=dt.datetime.combine(when, dt.time(12), tzinfo=timezone.get_default_timezone()),
        quantity=Decimal(30),
        charge=1500,
        late=late,
    )


def _bill(personas, system, language: str) -> Invoice:
    company = personas.company_a
    company.invoice_language = language
    company.save()
    sub = SubscriptionFactory(
        company=company,
        user_name="Mette Nielsen",
        phone_number=PHONE,
        product=ProductFactory(name="Mobile 30 GB", name_da="Mobil 30 GB", monthly_price=19900),
    )
    sub.add_ons.add(AddOnFactory(name="EU data Roaming", name_da="EU-data Roaming", monthly_price=4900))
    add_charge(subscription=sub, fee=OneOffFeeFactory(), on=dt.date(2026, 11, 5), by=system)
    _usage(sub, dt.date(2026, 11, 3))
    _usage(sub, dt.date(2026, 10, 20), late=True)  # October, already invoiced: late usage on November's
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    return Invoice.objects.for_company(company).get()


@pytest.fixture
def danish_invoice(personas, system) -> Invoice:
    return _bill(personas, system, "da")


def _read(personas, login, invoice: Invoice, language: str) -> tuple[str, list[list[str]]]:
    personas.admin_a.language = language
    personas.admin_a.save()
    client = login(personas.admin_a)
    page = client.get(reverse("invoice:detail", args=[invoice.pk])).content.decode()
    body = b"".join(client.get(reverse("invoice:details_csv", args=[invoice.pk])).streaming_content)
    # As Excel with Danish settings opens it: the BOM, then the list separator sniffed from the first lines.
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert csv.Sniffer().sniff(text[:4096], delimiters=";,").delimiter == ";"
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == (["User", "Phone number"] if language == "en" else ["Bruger", "Telefonnummer"])
    assert {row[1] for row in rows[1:]} == {formats.phone(PHONE)}  # '20 12 34 56', not '+4520123456'
    return page, rows


@pytest.mark.parametrize(("reader", "shown", "hidden"), [("en", ENGLISH, DANISH), ("da", DANISH, ENGLISH)])
def test_every_line_of_a_danish_invoice_reads_in_the_readers_language(
    danish_invoice, personas, login, reader, shown, hidden
):
    page, rows = _read(personas, login, danish_invoice, reader)
    lines = page.split('data-testid="user-row"')[1]
    descriptions = [row[5] for row in rows[1:]]
    for text in shown:
        assert text in lines, text
        assert any(d.startswith(text) for d in descriptions), text
    for text in hidden:
        assert text not in lines, text
        assert not any(d.startswith(text) for d in descriptions), text
    assert {row[2] for row in rows[1:]} == {"Mobile 30 GB" if reader == "en" else "Mobil 30 GB"}
    assert ("Billing period" if reader == "en" else "Faktureringsperiode") in page
    assert ("November 2026" if reader == "en" else "november 2026") in page and "2026-11" not in page


def test_an_english_invoice_reads_in_danish_for_a_danish_reader(personas, login, system):
    invoice = _bill(personas, system, "en")
    page, rows = _read(personas, login, invoice, "da")
    lines = page.split('data-testid="user-row"')[1]
    for text in DANISH:
        assert text in lines, text
    for text in ENGLISH:
        assert text not in lines, text
    assert {row[2] for row in rows[1:]} == {"Mobil 30 GB"}
    assert "SIM-kort" in [row[5] for row in rows[1:]]
    assert "Mobile 30 GB" in _pdf_text(invoice)  # the document as issued, in English


def test_the_pdf_and_the_amounts_stay_as_issued(danish_invoice):
    pdf = _pdf_text(danish_invoice)
    for text in DANISH:
        assert text in pdf, text
    assert "november 2026" in pdf and "2026-11" not in pdf
    mail = _message(ensure_pdf(danish_invoice), "bogholderi@alfa.dk").body
    assert "for november 2026." in mail and "2026-11" not in mail
    lines = danish_invoice.lines.all()
    assert sum(line.amount for line in lines) == danish_invoice.net == 19900 + 4900 + 9900 + 1500 + 1500
    assert {line.description for line in lines} == {
        "Mobil 30 GB",
        "EU-data Roaming",
        "SIM-kort",
        "Tale (minutter)",
        "Forbrug indberettet for sent, oktober 2026: Tale (minutter)",
    }


def test_a_charge_typed_by_staff_reads_as_typed_in_both_languages(personas, login, system):
    add_charge(
        company=personas.company_a, description="Headset Jabra", amount=89900, on=dt.date(2026, 11, 12), by=system
    )
    run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1))
    line = InvoiceLine.objects.get(description="Headset Jabra")
    assert (line.description_en, line.description_da) == ("", "")
    assert line.description_in("da") == line.description_in("en") == "Headset Jabra"


def test_lines_issued_before_both_languages_were_kept_get_them_from_the_catalogue(danish_invoice):
    """The migration's back-fill: only the two new columns change, never an amount or the text as issued."""
    from importlib import import_module

    backfill = import_module("invoicing.migrations.0012_line_description_in_both_languages").backfill
    lines = InvoiceLine.objects.filter(invoice=danish_invoice)
    before = {line.pk: (line.description, line.amount) for line in lines}
    lines.update(description_en="", description_da="")
    backfill(apps, None)
    after = {line.pk: line for line in lines}
    assert {pk: (line.description, line.amount) for pk, line in after.items()} == before
    by_kind = {line.kind: line for line in after.values()}
    assert by_kind["add_on"].description_en == "EU data Roaming"
    assert by_kind["one_off"].description_en == "SIM card"
    assert by_kind["subscription"].description_en == "Mobile 30 GB"
    assert by_kind["usage"].description_en == "Voice (minutes)"
    assert by_kind["late_usage"].description_en == ""  # no catalogue text to match: shown as issued
