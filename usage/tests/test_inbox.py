import datetime as dt
import os

import pytest
from django.core.management import CommandError, call_command

from invoicing.models import UsageImport
from invoicing.tests.factories import SubscriptionFactory
from usage.models import MonthlyUsage

pytestmark = pytest.mark.django_db
HEADER = "record_id,phone_number,time,type,quantity,charge_ore,zone\n"


def _old(path, text):
    path.write_text(text)
    os.utime(path, (0, 0))


def test_the_inbox_imports_each_file_once_moves_it_and_keeps_bad_ones_aside(tmp_path):
    sub = SubscriptionFactory(phone_number="+4520123456", start_date=dt.date(2026, 1, 1))
    good = HEADER + "i1,+4520123456,2026-11-03 10:15,roaming,5,500,eu\n"
    _old(tmp_path / "0900.csv", good)
    _old(tmp_path / "0900-again.csv", good)  # the same content under another name
    _old(tmp_path / "bad.csv", HEADER + "i2,+4599999999,2026-11-03 10:15,sms,1,0,\n")
    (tmp_path / "1000.csv.part").write_text(good)  # still being written
    (tmp_path / "1000.csv").write_text(HEADER + "i3,+4520123456,2026-11-03 11:15,sms,1,0,\n")  # too fresh

    with pytest.raises(CommandError):
        call_command("import_usage_inbox", str(tmp_path))

    assert sorted(p.name for p in (tmp_path / "imported").iterdir()) == ["0900-again.csv", "0900.csv"]
    assert sorted(p.name for p in (tmp_path / "failed").iterdir()) == ["bad.csv", "bad.csv.errors.txt"]
    assert "+4599999999" in (tmp_path / "failed" / "bad.csv.errors.txt").read_text()
    assert (tmp_path / "1000.csv").exists() and (tmp_path / "1000.csv.part").exists()
    assert UsageImport.objects.count() == 1
    assert MonthlyUsage.objects.get(company=sub.company).roaming_eu_charge == 500

    call_command("import_usage_inbox", str(tmp_path), "--settle", "0")  # the next hour
    assert MonthlyUsage.objects.get(company=sub.company).records == 2
