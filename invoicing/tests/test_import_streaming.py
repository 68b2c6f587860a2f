"""Usage imports: refused twice, natural keys, line-level errors, late usage, background uploads."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from invoicing import imports
from invoicing.actions import UsageImportError, import_usage
from invoicing.billing import run_billing
from invoicing.models import Invoice, InvoiceLine, UsageImport, UsageRecord
from invoicing.pdf import render_invoice_pdf
from invoicing.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
HEADER = "record_id,phone_number,time,type,quantity,charge_ore\n"
ISSUED = dt.date(2026, 12, 1)


@pytest.fixture
def subscription():
    return SubscriptionFactory(phone_number="+4520123456", start_date=dt.date(2026, 1, 1))


def _rows(*ids: str, day: str = "2026-11-03") -> str:
    return "".join(f"{i},+4520123456,{day} 10:15,roaming,2,150\n" for i in ids)


def test_it_refuses_the_same_content_under_another_name_naming_the_earlier_import(subscription, system):
    text = HEADER + _rows("a1", "a2")
    import_usage(text=text, filename="usage-nov.csv", by=system)

    with pytest.raises(UsageImportError) as caught:
        import_usage(text=text, filename="copy of usage-nov.csv", by=system)

    message = caught.value.messages[0]
    assert "already imported" in message and "usage-nov.csv" in message and "by test" in message
    assert UsageRecord.all_companies.count() == 2


def test_an_overlapping_file_is_refused_naming_the_duplicate_lines(subscription, system):
    import_usage(text=HEADER + _rows("a1", "a2"), filename="first.csv", by=system)

    with pytest.raises(UsageImportError) as caught:
        import_usage(text=HEADER + _rows("a2", "a3", "a3"), filename="second.csv", by=system)

    assert [e.line for e in caught.value.row_errors] == [2, 4]
    assert "a2 was already imported from “first.csv”" in caught.value.messages[0]
    assert "a3 appears twice in this file (also line 3)" in caught.value.messages[1]
    assert UsageRecord.all_companies.count() == 2  # nothing of the second file


def test_duplicates_across_batches_of_one_file_are_found(subscription, system, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    with pytest.raises(UsageImportError) as caught:
        import_usage(text=HEADER + _rows("a1", "a2", "a3", "a1"), filename="x.csv", by=system)
    assert [e.line for e in caught.value.row_errors] == [5]
    assert not UsageRecord.all_companies.exists() and not UsageImport.objects.exists()


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        (HEADER.encode() + b'a1,+4520123456,"2026-11-03 10:15,voice,1,0\n', 2, "is a quote not closed"),
        (HEADER.encode() + b"a1,+4520123456,2026-11-03 10:15,voice,1,0\na2,+45\xe6\xf8,x,voice,1,0\n", 3, "not UTF-8"),
        (HEADER.encode() + b"a1,+4520123456,2026-11-03 10:15\n", 2, "expected 6 columns"),
        (HEADER.encode() + b"a1,+4520123456,2026-11-03 10:15,voice,1e999,0\n", 2, "non-negative numbers"),
        (HEADER.encode() + b"a1,+4520123456,2026-13-45 10:15,voice,1,0\n", 2, "not a date and time"),
        (HEADER.encode() + b"a 1,+4520123456,2026-11-03 10:15,voice,1,0\n", 2, "not a record id"),
        (HEADER.encode() + b"a1,+4520123456,2026-11-03 10:15,voice,1,0" + b"x" * 70_000 + b"\n", 2, "longer than"),
    ],
)
def test_malformed_lines_are_named_on_the_command_line_without_a_traceback(
    subscription, tmp_path, capsys, content, line, words
):
    path = tmp_path / "usage.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError):
        call_command("import_usage", str(path))

    err = capsys.readouterr().err
    assert f"Line {line}:" in err and words in err and "Traceback" not in err
    assert not UsageRecord.all_companies.exists()


def test_a_staff_upload_with_an_unclosed_quote_shows_the_line(subscription, personas, login):
    upload = SimpleUploadedFile("usage.csv", (HEADER + 'a1,"+4520123456,2026-11-03 10:15,sms,3,0\n').encode())
    response = login(personas.staff).post(reverse("invoice:staff"), {"action": "usage", "usage-file": upload})
    assert response.status_code == 200
    assert "Line 2:" in response.content.decode()


def test_usage_for_a_month_already_billed_goes_on_the_next_invoice_as_late_usage(subscription, system):
    november = run_billing("2026-11", by=system, issue_date=ISSUED).created
    assert len(november) == 1

    batch = import_usage(text=HEADER + _rows("late-1", "late-2"), filename="late.csv", by=system)

    assert batch.rows == 2 and UsageRecord.all_companies.filter(late=True).count() == 2
    assert not Invoice.all_companies.get(pk=november[0]).lines.filter(kind=InvoiceLine.Kind.LATE_USAGE).exists()
    december = Invoice.all_companies.get(
        pk=run_billing("2026-12", by=system, issue_date=dt.date(2027, 1, 1)).created[0]
    )
    line = december.lines.get(kind=InvoiceLine.Kind.LATE_USAGE)
    assert (line.amount, line.quantity, line.usage_type) == (300, 4, "roaming")
    assert "november 2026" in line.description.lower()  # the invoice names the month the usage belongs to
    assert december.usage_net >= 300
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_invoice_pdf(december))).pages)
    assert "november 2026" in pdf_text.lower() and ("Late usage" in pdf_text or "for sent" in pdf_text)
    assert set(UsageRecord.all_companies.values_list("late_invoice", flat=True)) == {december.pk}
    # Once only: a later invoice does not bill it again.
    january = Invoice.all_companies.get(pk=run_billing("2027-01", by=system, issue_date=dt.date(2027, 2, 1)).created[0])
    assert not january.lines.filter(kind=InvoiceLine.Kind.LATE_USAGE).exists()


def test_late_usage_bills_a_company_with_nothing_else_to_bill(system):
    ended = SubscriptionFactory(
        phone_number="+4520123456", start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 11, 30)
    )
    run_billing("2026-11", by=system, issue_date=ISSUED)
    import_usage(text=HEADER + _rows("late-1"), filename="late.csv", by=system)

    created = run_billing("2026-12", by=system, issue_date=dt.date(2027, 1, 1)).created

    invoice = Invoice.all_companies.get(pk=created[0])
    assert invoice.company_id == ended.company_id
    assert [line.kind for line in invoice.lines.all()] == [InvoiceLine.Kind.LATE_USAGE]


def test_usage_of_a_month_not_yet_billed_is_ordinary_usage(subscription, system):
    import_usage(text=HEADER + _rows("n-1"), filename="nov.csv", by=system)
    assert not UsageRecord.all_companies.filter(late=True).exists()
    invoice = Invoice.all_companies.get(pk=run_billing("2026-11", by=system, issue_date=ISSUED).created[0])
    assert invoice.lines.filter(kind=InvoiceLine.Kind.USAGE).count() == 1


def test_a_large_staff_upload_runs_in_the_background_with_progress(
    subscription, personas, login, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "BACKGROUND_IMPORT_BYTES", 10)
    staff = login(personas.staff)
    upload = SimpleUploadedFile("big.csv", (HEADER + _rows("b1", "b2", "b3")).encode())

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("invoice:staff"), {"action": "usage", "usage-file": upload})

    batch = UsageImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("invoice:staff_usage_import", kwargs={"usage_import_id": batch.pk})
    assert (batch.status, batch.rows, batch.rows_done) == ("done", 3, 3)
    assert not batch.upload  # the stored upload is removed once imported
    assert UsageRecord.all_companies.filter(batch=batch).count() == 3
    page = staff.get(response["Location"], HTTP_HX_REQUEST="true")
    assert 'data-status="done"' in page.content.decode() and "hx-trigger" not in page.content.decode()


def test_a_background_import_that_fails_shows_its_errors_and_imports_nothing(
    subscription, personas, login, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "BACKGROUND_IMPORT_BYTES", 10)
    staff = login(personas.staff)
    upload = SimpleUploadedFile("big.csv", (HEADER + _rows("b1") + "b2,+4520123456,nope,sms,1,0\n").encode())

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("invoice:staff"), {"action": "usage", "usage-file": upload})

    batch = UsageImport.objects.get()
    assert batch.status == "failed" and "Line 3:" in batch.errors[0]
    assert not UsageRecord.all_companies.exists()
    page = staff.get(response["Location"]).content.decode()
    assert 'data-testid="import-errors"' in page and "Line 3:" in page


def test_a_queued_import_polls_until_it_ends(personas, login):
    batch = UsageImport.objects.create(filename="big.csv", status="running", rows_done=5000)
    page = login(personas.staff).get(reverse("invoice:staff_usage_import", kwargs={"usage_import_id": batch.pk}))
    content = page.content.decode()
    assert 'hx-trigger="every 2s"' in content and "5000" in content


def test_customers_cannot_see_an_import(personas, login):
    batch = UsageImport.objects.create(filename="big.csv", status="done")
    url = reverse("invoice:staff_usage_import", kwargs={"usage_import_id": batch.pk})
    assert login(personas.admin_a).get(url).status_code == 404
