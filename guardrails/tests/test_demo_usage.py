"""The demo imports this month's usage through the real import, so the dashboard and the guardrails have data."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from guardrails.models import Evaluation, Notice
from invoicing.models import UsageImport, UsageRecord
from usage.models import MonthlyUsage


@pytest.mark.django_db
def test_the_demo_imports_this_months_usage_and_warns(personas):
    call_command("seed_demo", "--subscriptions", "30", "--tickets", "2", "--quiet-logins")
    month = timezone.localdate().replace(day=1)
    records = UsageRecord.all_companies.filter(record_id__startswith="demo-mtd-")
    assert records.count() > 100 and not records.filter(batch__isnull=True).exists()  # as an import batch
    assert UsageImport.objects.filter(filename__startswith="demo-usage-").count() == 1
    assert MonthlyUsage.all_companies.filter(month=month).count() >= 20  # totalled (the dashboard's figures)
    assert Notice.all_companies.filter(month=month).exists()  # some warnings
    assert not Evaluation.all_companies.exclude(status="done").exists()
    call_command("seed_demo", "--subscriptions", "30", "--tickets", "2", "--quiet-logins")  # idempotent
    assert UsageImport.objects.filter(filename__startswith="demo-usage-").count() == 1
