"""Guardrail evaluation off the usage import's transaction: queued durably by the import, run in chunks.

The import (``on_usage_aggregated``) only records an ``Evaluation`` row and its task in its own transaction
(the ``jobs`` engine: the task row commits with the usage, so nothing is lost and a rolled-back import queues
nothing). The task works the lines through in chunks of ``GUARDRAILS_EVALUATION_CHUNK``, each chunk in its own
transaction together with its notices, e-mails (outbox), bars and the row's progress: a worker killed mid-way
leaves whole chunks done or not done, and the re-run starts after the last one committed. Warnings stay once
(``Notice``'s unique constraint) and bars once (``Bar``'s), so even a chunk evaluated twice sends nothing twice.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from companies.models import Company
from guardrails.models import Evaluation
from jobs.queue import enqueue


def chunk_size() -> int:
    return int(getattr(settings, "GUARDRAILS_EVALUATION_CHUNK", 1000))


def schedule(
    *, company_id: int, month: dt.date, subscription_ids: Iterable[int] = (), all_lines: bool = False
) -> Evaluation:
    """In the caller's transaction: adds the lines to the company-month's pending evaluation, or queues a new
    one with its task. Two imports before the task starts give one evaluation (and one task)."""
    from guardrails.tasks import evaluate_usage

    ids = set(subscription_ids)
    for _attempt in range(3):
        pending = (
            Evaluation.objects.select_for_update()
            .filter(company_id=company_id, month=month, status=Evaluation.Status.PENDING)
            .first()
        )
        if pending is not None:
            pending.all_lines = pending.all_lines or all_lines
            pending.subscription_ids = [] if pending.all_lines else sorted(ids.union(pending.subscription_ids))
            pending.imports += 1
            pending.save(update_fields=["all_lines", "subscription_ids", "imports"])
            return pending
        try:
            with transaction.atomic():
                evaluation = Evaluation.objects.create(
                    company_id=company_id,
                    month=month,
                    all_lines=all_lines,
                    subscription_ids=[] if all_lines else sorted(ids),
                )
        except IntegrityError:  # a concurrent import queued one a moment ago: add to it
            continue
        enqueue(evaluate_usage, evaluation.pk)
        return evaluation
    raise RuntimeError("Could not queue the guardrail evaluation")  # pragma: no cover - three races in a row


def _claim(evaluation_id: int) -> tuple[Evaluation, list[int]] | None:
    """Marks the evaluation running (later imports queue a new one) and fixes its lines; None when done."""
    from usage.selectors import month_to_date

    with transaction.atomic():
        evaluation = (
            Evaluation.objects.unscoped().select_for_update().select_related("company").filter(pk=evaluation_id).first()
        )
        if evaluation is None or evaluation.status == Evaluation.Status.DONE:
            return None
        if evaluation.status == Evaluation.Status.PENDING:
            if evaluation.all_lines:
                # Fixed once, so a re-run after a kill walks the same lines.
                evaluation.subscription_ids = sorted(month_to_date(evaluation.company, evaluation.month))
            evaluation.status = Evaluation.Status.RUNNING
            evaluation.started_at = timezone.now()
            evaluation.save(update_fields=["subscription_ids", "status", "started_at"])
        ids = [sub_id for sub_id in evaluation.subscription_ids if sub_id > evaluation.done_through]
    return evaluation, ids


def run(evaluation_id: int) -> dict[str, int]:
    """The task's body: each chunk in its own transaction; safe to run again (after a kill, or twice)."""
    from guardrails.actions import evaluate

    claimed = _claim(evaluation_id)
    if claimed is None:
        return {"warned": 0, "barred": 0}
    evaluation, ids = claimed
    company: Company = evaluation.company
    size = chunk_size()
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        with transaction.atomic():
            locked = Evaluation.objects.unscoped().select_for_update().get(pk=evaluation_id)
            if locked.done_through >= chunk[-1]:
                continue  # another run of this task did this chunk meanwhile
            result = evaluate(company=company, subscription_ids=chunk, month=evaluation.month)
            locked.done_through = chunk[-1]
            locked.warned += result["warned"]
            locked.barred += result["barred"]
            locked.save(update_fields=["done_through", "warned", "barred"])
    with transaction.atomic():
        locked = Evaluation.objects.unscoped().select_for_update().get(pk=evaluation_id)
        locked.status = Evaluation.Status.DONE
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
    return {"warned": locked.warned, "barred": locked.barred}
