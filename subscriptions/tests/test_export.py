import csv
import io

import pytest
from django.urls import reverse

from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
URL = reverse("subscriptions:export")


def read(response):
    """The file as Excel with Danish regional settings reads it: UTF-8 by its BOM, split on the list
    separator ";" (the sniffer must find it from the first lines, as Excel's text import does)."""
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,")
    assert dialect.delimiter == ";"
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert {len(r) for r in rows} == {13}
    return rows


def test_it_streams_utf8_with_bom_and_dates_and_phones_as_on_the_pages(personas, login):
    SubscriptionFactory(company=personas.company_a, user_name="Ærle Ørsted", phone_number="+4520123456")
    SubscriptionFactory(company=personas.company_b, user_name="Fremmed")
    response = login(personas.admin_a).get(URL)
    assert response.streaming
    assert "alfa-aps" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = read(response)
    assert rows[0][0] == "Name"
    # Was E.164 and ISO: Excel read "+4520123456" as the number 4520123456.
    assert rows[1][:3] == ["Ærle Ørsted", rows[1][1], "20 12 34 56"]
    assert rows[1][5] == "01/01/2025"
    assert len(rows) == 2


@pytest.mark.parametrize(
    ("language", "headers", "day", "status"),
    [
        ("da", ["Navn", "E-mail", "Telefonnummer", "Abonnementstype", "Status", "Startdato"], "01.01.2025", "Aktiv"),
        ("en", ["Name", "E-mail", "Phone number", "Subscription type", "Status", "Start date"], "01/01/2025", "Active"),
    ],
)
def test_excel_reads_the_file_in_the_admins_language_and_formats(personas, login, language, headers, day, status):
    """As Excel with Danish regional settings opens it: the BOM, ';' sniffed from the first lines, then the
    cells: headers, dates and phone numbers as the pages show them in the admin's language."""
    SubscriptionFactory(company=personas.company_a, user_name="Åse", phone_number="+4521104729")
    SubscriptionFactory(company=personas.company_a, user_name="Björn", phone_number="+46701234567")
    personas.admin_a.language = language
    personas.admin_a.save()
    body = b"".join(login(personas.admin_a).get(URL).streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert csv.Sniffer().sniff(text[:4096], delimiters=";,").delimiter == ";"
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:6] == headers
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Åse"][2] == "21 10 47 29"
    assert by_name["Åse"][4] == status
    assert by_name["Åse"][5] == day
    # A foreign number starts with "+": kept as text the way every formula-like cell is.
    assert by_name["Björn"][2] == "'+46 70 123 45 67"


def test_it_never_exports_pin_or_puk(personas, login):
    SubscriptionFactory(company=personas.company_a)
    body = b"".join(login(personas.admin_a).get(URL).streaming_content)
    assert b"87654321" not in body and b"PUK" not in body


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x")', "+SUM(1)", "-2+3", "@cmd", "\tx"])
def test_it_neutralises_formulas(personas, login, evil):
    SubscriptionFactory(company=personas.company_a, user_name=evil, invoice_note=evil)
    row = read(login(personas.admin_a).get(URL))[1]
    assert row[0] == "'" + evil
    assert row[10] == "'" + evil


def test_it_exports_the_current_search(personas, login):
    SubscriptionFactory(company=personas.company_a, user_name="Anne")
    SubscriptionFactory(company=personas.company_a, user_name="Bo")
    rows = read(login(personas.admin_a).get(URL, {"q": "bo"}))
    assert [r[0] for r in rows[1:]] == ["Bo"]


def test_a_danish_admin_gets_danish_headers_over_danish_values(personas, login):
    SubscriptionFactory(company=personas.company_a, user_name="Åse")
    personas.admin_a.language = "da"
    personas.admin_a.save()
    rows = read(login(personas.admin_a).get(URL))
    assert rows[0][:3] == ["Navn", "E-mail", "Telefonnummer"]
    assert rows[1][4] == "Aktiv"
