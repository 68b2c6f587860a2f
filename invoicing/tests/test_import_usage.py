import datetime as dt
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from invoicing.actions import UsageImportError, import_usage
from invoicing.models import UsageImport, UsageRecord
from invoicing.tests.factories import SubscriptionFactory
from portal.testing import FakeTerminal

pytestmark = pytest.mark.django_db
HEADER = "record_id,phone_number,time,type,quantity,charge_ore\n"


@pytest.fixture
def subscription():
    return SubscriptionFactory(phone_number="+4520123456", start_date=dt.date(2026, 1, 1))


def test_it_imports_a_good_file(subscription, system):
    text = HEADER + "r2,20 12 34 56,2026-11-03 10:15,voice,12,0\nr3,+4520123456,2026-11-04T08:00:00,roaming,30,4500\n"

    batch = import_usage(text=text, filename="usage.csv", by=system)

    assert batch.rows == 2
    records = UsageRecord.all_companies.order_by("time")
    assert [(r.type, r.charge, r.subscription_id) for r in records] == [
        ("voice", 0, subscription.pk),
        ("roaming", 4500, subscription.pk),
    ]
    assert records[0].company_id == subscription.company_id


def test_it_reports_bad_rows_by_line_and_imports_nothing(subscription, system):
    text = HEADER + (
        "r4,+4520123456,2026-11-03 10:15,voice,12,0\n"
        "r5,+4520123456,yesterday,voice,12,0\n"
        "r6,12,2026-11-03 10:15,sms,1,0\n"
        "r7,+4520123456,2026-11-03 10:15,fax,1,0\n"
        "r8,+4520123456,2026-11-03 10:15,data,-5,0\n"
        "r9,+4599999999,2026-11-03 10:15,data,5,0\n"
        "r10,+4520123456,2025-11-03 10:15,data,5,0\n"
    )
    with pytest.raises(UsageImportError) as caught:
        import_usage(text=text, filename="bad.csv", by=system)

    assert [e.line for e in caught.value.row_errors] == [3, 4, 5, 6, 7, 8]
    assert "Line 3:" in caught.value.messages[0]
    assert "fax" in str(caught.value.row_errors[2])
    assert UsageRecord.all_companies.count() == 0
    assert UsageImport.objects.count() == 0


def test_it_rejects_a_wrong_header(system):
    with pytest.raises(UsageImportError) as caught:
        import_usage(text="number;when\n1;2\n", filename="x.csv", by=system)
    assert caught.value.row_errors[0].line == 1


def test_it_rejects_an_empty_file(system):
    with pytest.raises(UsageImportError):
        import_usage(text=HEADER, filename="empty.csv", by=system)


def test_it_imports_from_the_command_and_reports_bad_files(subscription, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "r11,+4520123456,2026-11-03 10:15,sms,3,0\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "r12,+4520123456,2026-11-03 10:15,sms,abc,0\n")

    with pytest.raises(CommandError):
        call_command("import_usage", str(good), str(bad))

    assert UsageRecord.all_companies.count() == 1
    assert "Line 2:" in capsys.readouterr().err


def test_the_command_shows_progress_as_plain_lines_when_not_on_a_terminal(subscription, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "r11,+4520123456,2026-11-03 10:15,sms,3,0\n")
    err = StringIO()

    call_command("import_usage", str(good), stdout=StringIO(), stderr=err)

    assert err.getvalue().startswith("good.csv: 100%, 1 row, ")
    assert err.getvalue().endswith(" s, done\n") and "\r" not in err.getvalue()


def test_the_command_draws_a_bar_on_a_terminal(subscription, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "r11,+4520123456,2026-11-03 10:15,sms,3,0\n")
    terminal = FakeTerminal()

    call_command("import_usage", str(good), stdout=StringIO(), stderr=terminal)

    assert terminal.getvalue().startswith("\r[##############################] good.csv: 100%, 1 row, ")


def test_the_command_shows_no_progress_when_asked(subscription, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "r11,+4520123456,2026-11-03 10:15,sms,3,0\n")
    err = StringIO()

    call_command("import_usage", str(good), "--no-progress", stdout=StringIO(), stderr=err)

    assert err.getvalue() == ""


def test_it_imports_from_the_staff_upload(subscription, personas, login):
    upload = SimpleUploadedFile("usage.csv", (HEADER + "r13,+4520123456,2026-11-03 10:15,sms,3,0\n").encode())

    response = login(personas.staff).post(reverse("invoice:staff"), {"action": "usage", "usage-file": upload})

    assert response.status_code == 302
    assert UsageRecord.all_companies.count() == 1


def test_it_shows_the_line_errors_of_a_bad_upload(subscription, personas, login):
    upload = SimpleUploadedFile(
        "usage.csv", (HEADER + "r14,+4520123456,2026-11-03 10:15,sms,3,0\nr15,x,y,z,1,1\n").encode()
    )

    response = login(personas.staff).post(reverse("invoice:staff"), {"action": "usage", "usage-file": upload})

    assert response.status_code == 200
    assert "Line 3:" in response.content.decode()
    assert UsageRecord.all_companies.count() == 0


def test_it_refuses_a_file_that_is_not_utf8(personas, login):
    upload = SimpleUploadedFile("usage.csv", b"\xff\xfe\x00bad")
    response = login(personas.staff).post(reverse("invoice:staff"), {"action": "usage", "usage-file": upload})
    assert response.status_code == 200
    assert "UTF-8" in response.content.decode()
