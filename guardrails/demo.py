"""Demo data: rules for Nordlys (everyone, one cost centre) and this month's warnings and bars from them."""

from django.db import transaction
from django.utils import timezone

from audit.actor import Actor
from guardrails import actions
from guardrails.models import Notice, Policy
from invoicing.models import UsageRecord
from registry.demo import DemoContext
from subscriptions.models import Subscription
from usage.aggregates import aggregate


def seed_guardrails(ctx: DemoContext) -> None:
    company = ctx.companies["nordlys"]
    by = Actor.system("demo data")
    with transaction.atomic():
        actions.save_policy(
            company=company,
            scope=Policy.Scope.COMPANY,
            data={"spend_cap": 100000, "data_cap_mb": 30 * 1024},
            by=by,
        )
        centre = (
            Subscription.objects.for_company(company).exclude(cost_centre="").values_list("cost_centre", flat=True)
        ).first()
        if centre:
            actions.save_policy(
                company=company,
                scope=Policy.Scope.COST_CENTRE,
                cost_centre=centre,
                data={"spend_cap": 50000, "roaming_caps": {"world": 20000}},
                by=by,
            )
    lines = list(
        Subscription.objects.for_company(company)
        .filter(status="active", cost_centre=centre or "")
        .exclude(phone_number="")
        .order_by("pk")[:2]
    )
    month = actions.this_month()
    if len(lines) < 2 or Notice.objects.for_company(company).filter(month=month).exists():
        return
    # This month's use (demo numbers are not valid for the import, so written as the invoicing seeder does,
    # then totalled by the usage area): one line near its data cap, one over its cost centre's roaming cap
    # outside the EU.
    now = timezone.now()
    with transaction.atomic():
        records = UsageRecord.objects.bulk_create(
            [
                UsageRecord(
                    company=company, subscription=lines[0], time=now, type="data", quantity=26 * 1024, charge=0
                ),
                UsageRecord(
                    company=company,
                    subscription=lines[1],
                    time=now,
                    type="roaming",
                    quantity=40,
                    charge=24000,
                    zone="world",
                ),
            ]
        )
        aggregate(UsageRecord.objects.filter(company=company, pk__in=[r.pk for r in records]))
        result = actions.evaluate(company=company, subscription_ids=[line.pk for line in lines], month=month)
    ctx.log(f"guardrails: {result['warned']} warnings, {result['barred']} bars this month")
