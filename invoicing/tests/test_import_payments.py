import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEvent
from invoicing.actions import PaymentImportError, create_credit_note, import_payments, register_payment
from invoicing.models import Invoice, Payment, PaymentImport
from invoicing.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db
DAY = (timezone.localdate() - dt.timedelta(days=2)).isoformat()


@pytest.fixture
def invoices():
    return InvoiceFactory(number=500001, total=18750), InvoiceFactory(number=500002, total=100000)


def test_it_imports_a_good_file(invoices, system):
    first, second = invoices
    text = (
        f"invoice_number;amount;date;reference\n500001;187,50;{DAY};FIK 71 1\n"
        f"500002;400;{DAY};FIK 71 2\n500002;1.000,00;{DAY};FIK 71 3\n\n"
    )
    # 1.000,00 + 400 is more than 1.000 kr.: the rows of one file count together
    with pytest.raises(PaymentImportError) as error:
        import_payments(text=text, filename="bank.csv", by=system)
    assert error.value.messages == [
        "Line 4: DKK 1,000.00 is more than the DKK 600.00 outstanding on invoice 500002; overpayments are not registered"
    ]

    text = f"500001;187,50;{DAY};FIK 71 1\n500002;400;{DAY};FIK 71 2\n500002;250.5;{DAY}\n"
    batch = import_payments(text=text, filename="bank.csv", by=system)

    assert (batch.rows, batch.total, batch.filename) == (3, 18750 + 40000 + 25050, "bank.csv")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.paid_amount) == (Invoice.Status.PAID, 18750)
    assert (second.status, second.paid_amount) == (Invoice.Status.PARTIALLY_PAID, 65050)
    assert Payment.all_companies.filter(batch=batch).count() == 3
    events = AuditEvent.all_companies.filter(action="invoice.payment_registered")
    assert events.count() == 3 and {e.company_id for e in events} == {first.company_id, second.company_id}


def test_it_reports_every_bad_row_by_line_and_imports_nothing(invoices, system):
    first, _second = invoices
    credit_source = InvoiceFactory(number=500003)
    credit = create_credit_note(invoice=credit_source, reason="Fejl", by=system)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    text = (
        "\n".join(
            [
                "invoice_number;amount;date;reference",
                f"500001;10,00;{DAY};ok",  # fine, but the file is refused as a whole
                f"abc;100,00;{DAY};x",
                f"500001;ti kroner;{DAY};x",
                "500001;100,00;yesterday;x",
                "500001;100,00",
                f"999999;100,00;{DAY};x",
                f"500001;0;{DAY};x",
                f"{credit.number};10,00;{DAY};x",
                f"500003;10,00;{DAY};x",
                f"500002;10,00;{future};x",
                f"500001;10,00;{DAY};ok",  # the same payment twice in the file
            ]
        )
        + "\n"
    )

    with pytest.raises(PaymentImportError) as error:
        import_payments(text=text, filename="bank.csv", by=system)

    messages = error.value.messages
    assert [m.split(":")[0] for m in messages] == [f"Line {n}" for n in range(3, 13)]
    assert "“abc” is not an invoice number" in messages[0]
    assert "not an amount in kroner" in messages[1]
    assert "not a date" in messages[2]
    assert "separated by semicolons" in messages[3]
    assert "no invoice with number 999999" in messages[4]
    assert "more than 0" in messages[5]
    assert "credit note" in messages[6]
    assert "has been credited" in messages[7]
    assert "in the future" in messages[8]
    assert "appears twice" in messages[9]
    assert not Payment.all_companies.exists() and not PaymentImport.objects.exists()
    first.refresh_from_db()
    assert first.paid_amount == 0 and first.status == Invoice.Status.ISSUED


def test_it_refuses_a_file_imported_twice(invoices, system):
    text = f"500001;50,00;{DAY};FIK 71 1\n"
    import_payments(text=text, filename="bank.csv", by=system)
    with pytest.raises(PaymentImportError, match=r"already imported on .* by test as “bank.csv”"):
        import_payments(text=text, filename="renamed.csv", by=system)  # same content, any name
    # Other content holding the same payment: the line is recognised as a duplicate.
    with pytest.raises(PaymentImportError, match="Line 2: this payment is already registered"):
        import_payments(text="invoice_number;amount;date;reference\n" + text, filename="bank-2.csv", by=system)
    assert Payment.all_companies.count() == 1


def test_it_names_broken_lines_instead_of_failing(invoices, system, tmp_path, capsys):
    bad = tmp_path / "bank.csv"
    bad.write_bytes(f'500001;50,00;{DAY};FIK 71 1\n500002;\xff\xfe;{DAY};x\n500002;"10,00;{DAY};x\n'.encode("latin-1"))
    with pytest.raises(CommandError):
        call_command("import_payments", str(bad))
    err = capsys.readouterr().err
    assert "Line 2: the line is not UTF-8 text" in err
    assert "Line 3: the line cannot be read as CSV" in err
    assert not Payment.all_companies.exists()


def test_it_counts_payments_registered_by_hand(invoices, system):
    first, _second = invoices
    register_payment(first, amount=18000, paid_on=timezone.localdate(), reference="", by=system)
    with pytest.raises(PaymentImportError, match=r"DKK 7\.50 outstanding"):
        import_payments(text=f"500001;10,00;{DAY};x\n", filename="bank.csv", by=system)


@pytest.mark.parametrize("text", ["", "invoice_number;amount;date;reference\n", "\n\n"])
def test_it_refuses_an_empty_file(system, text):
    with pytest.raises(PaymentImportError, match="no payment rows"):
        import_payments(text=text, filename="empty.csv", by=system)


def test_the_command_imports_files_and_fails_on_bad_ones(invoices, system, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(f"500001;187,50;{DAY};FIK\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"500002;x;{DAY};FIK\n", encoding="utf-8")

    with pytest.raises(CommandError, match="1 file"):
        call_command("import_payments", str(good), str(bad))

    output = capsys.readouterr()
    assert "1 payments imported (DKK 187.50)" in output.out
    assert "Line 1" in output.err
    assert Payment.all_companies.count() == 1
