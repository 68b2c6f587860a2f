"""Demo data: rules for Nordlys (everyone, one cost centre) and this month's usage so far, imported through the
real usage import, with the warnings and bars it brings."""

import datetime as dt
from random import Random

from django.db import transaction
from django.utils import timezone

from audit.actor import Actor
from companies.models import Company
from guardrails import actions, evaluations
from guardrails.models import Evaluation, Policy
from invoicing.events import UsageImported
from invoicing.models import UsageImport, UsageRecord
from registry.demo import DemoContext
from registry.events import publish
from subscriptions.models import Subscription


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
    month = actions.this_month()
    if UsageRecord.objects.for_company(company).filter(record_id__startswith=DEMO_PREFIX).exists():
        return  # seeded before
    rows, special = month_rows(company, centre or "", ctx.rng, today=timezone.localdate())
    if not special:
        return
    store_as_import(rows, filename=f"demo-usage-{month:%Y-%m}.csv", by=by)
    # The queued evaluation worked off here, so a fresh demo shows its warnings before the worker has started.
    result = {"warned": 0, "barred": 0}
    for pk in (
        Evaluation.objects.for_company(company).exclude(status=Evaluation.Status.DONE).values_list("pk", flat=True)
    ):
        done = evaluations.run(pk)
        result = {key: result[key] + done[key] for key in result}
    ctx.log(f"guardrails: this month's usage imported; {result['warned']} warnings, {result['barred']} bars")


DEMO_PREFIX = "demo-mtd-"
LINES = 400  # lines of Nordlys with use this month: enough for the charts and tables, quick to import


Row = tuple[Subscription, dt.datetime, str, int, int, str]  # line, time, type, quantity, charge (øre), zone


@transaction.atomic
def store_as_import(rows: list[Row], *, filename: str, by: Actor) -> UsageImport:
    """Stores the rows as one usage import does after reading its file: a done ``UsageImport`` batch, its
    records, then the import's own ``UsageImported`` event in the same transaction, so the usage area keeps its
    totals and the guardrail evaluation is queued exactly as for a network file. (The file reader itself is
    skipped: the demo's Nordlys numbers, +45 2000 xxxx, are not valid Danish numbers and it would refuse them.)"""
    batch = UsageImport.objects.create(
        filename=filename, status=UsageImport.Status.DONE, rows=len(rows), rows_done=len(rows), imported_by=by.display
    )
    touched = set()
    records = []
    for serial, (sub, when, kind, quantity, charge, zone) in enumerate(rows, 1):
        records.append(
            UsageRecord(
                company_id=sub.company_id,
                subscription=sub,
                batch=batch,
                record_id=f"{DEMO_PREFIX}{when:%Y%m}-{serial}",
                time=when,
                type=kind,
                quantity=quantity,
                charge=charge,
                zone=zone,
            )
        )
        touched.add((sub.company_id, sub.pk, timezone.localtime(when).date().replace(day=1)))
    UsageRecord.objects.bulk_create(records, batch_size=2000)
    batch.finished_at = timezone.now()
    batch.save(update_fields=["finished_at"])
    publish(UsageImported(batch_id=batch.pk, touched=frozenset(touched)))
    return batch


def month_rows(company: Company, centre: str, rng: Random, *, today: dt.date) -> tuple[list[Row], list[int]]:
    """Usage records of this month so far (the 1st to today) for up to LINES active lines: calls, texts and data
    most days, roaming in the EU for some and outside it for a few, premium now and then; plus one line of the
    cost centre near its data cap and one over its roaming cap outside the EU (the warnings and a bar)."""
    lines = (
        Subscription.objects.for_company(company)
        .filter(status="active", start_date__lte=today.replace(day=1))
        .order_by("pk")
        .only("pk", "company_id", "phone_number", "cost_centre")
    )
    in_centre = list(lines.filter(cost_centre=centre)[:2])
    if len(in_centre) < 2:  # a small demo: any two lines (the EU rule bars the roaming one)
        in_centre = list(lines[:2])
    if len(in_centre) < 2:
        return [], []
    subs = list(lines.exclude(pk__in=[sub.pk for sub in in_centre])[: LINES - 2]) + in_centre
    rows: list[Row] = []
    now = timezone.localtime()

    def add(sub: Subscription, day: int, kind: str, quantity: int, charge: int, zone: str = "") -> None:
        # Today only up to now (the import refuses nothing in the future, but the dashboard would look odd).
        hour = rng.randint(7, 21) if day < today.day else rng.randint(0, now.hour)
        minute = rng.randint(0, now.minute if day == today.day and hour == now.hour else 59)
        when = now.replace(day=day, hour=hour, minute=minute, second=0, microsecond=0)
        rows.append((sub, when, kind, quantity, charge, zone))

    for sub in subs:
        roamer = rng.random() < 0.12
        far = roamer and rng.random() < 0.25
        for day in range(1, today.day + 1):
            if rng.random() < 0.8:
                add(sub, day, "voice", rng.randint(2, 45), 0)
            if rng.random() < 0.6:
                add(sub, day, "sms", rng.randint(1, 8), 0)
            add(sub, day, "data", rng.randint(20, 900), 0)
            if roamer and rng.random() < 0.3:
                add(
                    sub,
                    day,
                    "roaming",
                    rng.randint(5, 60),
                    rng.randint(0, 1500) if far else 0,
                    "world" if far else "eu",
                )
            if rng.random() < 0.01:
                add(sub, day, "premium", 1, rng.choice([900, 1500, 2900]))
    near, over = in_centre
    add(near, today.day, "data", 26 * 1024, 0)  # with the days before: past 80 % of the 30 GB cap
    add(over, today.day, "roaming", 40, 40000, "world")  # over 200 DKK (the cost centre's) and the EU rule
    return rows, [near.pk, over.pk]
