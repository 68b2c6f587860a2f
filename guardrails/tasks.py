"""Background work: the guardrail evaluation after a usage import or a rules change, and the month-start lift."""

import datetime as dt

from django.db import transaction
from django.tasks import task

from companies.models import Company


@task
def evaluate_usage(evaluation_id: int) -> dict[str, int]:
    """Warnings and bars for one queued ``Evaluation`` (``guardrails.evaluations``), in chunks; re-runnable."""
    from guardrails.evaluations import run

    return run(evaluation_id)


@task
def evaluate_company(company_id: int, month: str) -> None:
    """After a policy change: every line of the company with use this month, as a queued evaluation."""
    from guardrails.evaluations import schedule

    if not Company.objects.filter(pk=company_id).exists():
        return
    with transaction.atomic():
        schedule(company_id=company_id, month=dt.date.fromisoformat(month), all_lines=True)


@task
def lift_month_bars() -> None:
    """Cron at month start (any time on the 1st, or later: idempotent)."""
    from guardrails.actions import lift_past_months

    lift_past_months()
