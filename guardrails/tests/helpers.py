"""Usage files for this month, imported through the real usage import (so the real UsageAggregated fires)."""

import itertools

from django.utils import timezone

from audit.actor import Actor
from guardrails import evaluations
from guardrails.models import Evaluation
from invoicing.actions import import_usage

_ids = itertools.count(1)
HEADER = "record_id,phone_number,time,type,quantity,charge_ore,zone\n"


def today_at(hour: int = 10) -> str:
    return f"{timezone.localdate().isoformat()} {hour:02d}:00"


def import_rows(*rows: tuple[str, str, str | int, int, str]) -> None:
    """Rows of (phone, type, quantity, charge øre, zone) used today, each a new network record; then works off the
    guardrail evaluations queued (by this import or a rules change before it), as the worker would after the
    commit (the tests run inside one transaction, so the queued tasks never start by themselves)."""
    lines = [f"g{next(_ids)}-{timezone.now().timestamp()},{p},{today_at()},{t},{q},{c},{z}" for p, t, q, c, z in rows]
    import_usage(text=HEADER + "\n".join(lines) + "\n", filename=f"usage-{next(_ids)}.csv", by=Actor.system("test"))
    run_queued_evaluations()


def run_queued_evaluations() -> None:
    for pk in Evaluation.all_companies.exclude(status=Evaluation.Status.DONE).values_list("pk", flat=True):
        evaluations.run(pk)
