"""Background work: re-evaluating a company after its rules changed, and the month-start lift."""

import datetime as dt

from django.db import transaction
from django.tasks import task

from companies.models import Company


@task
def evaluate_company(company_id: int, month: str) -> None:
    """After a policy change: every line of the company with use this month against the new limits."""
    from guardrails.actions import evaluate
    from usage.selectors import month_to_date

    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        return
    day = dt.date.fromisoformat(month)
    with transaction.atomic():
        ids = list(month_to_date(company, day))
        evaluate(company=company, subscription_ids=ids, month=day)


@task
def lift_month_bars() -> None:
    """Cron at month start (any time on the 1st, or later: idempotent)."""
    from guardrails.actions import lift_past_months

    lift_past_months()
