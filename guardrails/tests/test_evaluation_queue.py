"""The evaluation is off the usage import's transaction: queued with it (durable, coalesced), run in chunks."""

import pytest
from django_tasks_db.models import DBTaskResult

from audit.actor import Actor
from companies.tests.factories import CompanyFactory, MembershipFactory
from guardrails import actions, evaluations
from guardrails.models import Evaluation, Notice
from guardrails.tests.helpers import HEADER, today_at
from invoicing.actions import import_usage
from outbox.models import OutboxMessage
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines():
    company = CompanyFactory(name="Kø ApS")
    MembershipFactory(company=company, user__email="admin@koe.dk")
    actions.save_policy(company=company, scope="company", data={"spend_cap": 10000}, by=Actor.system("test"))
    Evaluation.all_companies.all().delete()  # the rules change's own evaluation: not what these tests look at
    return [SubscriptionFactory(company=company, phone_number=f"+452012340{n}", email=f"u{n}@koe.dk") for n in range(5)]


def _import(subs, charge=8500, name="a"):
    rows = [f"{name}{sub.pk},{sub.phone_number},{today_at()},voice,60,{charge},\n" for sub in subs]
    import_usage(text=HEADER + "".join(rows), filename=f"{name}.csv", by=Actor.system("test"))


def test_the_import_only_queues_the_evaluation_and_sends_nothing_itself(lines):
    _import(lines)
    [evaluation] = Evaluation.all_companies.all()
    assert evaluation.status == Evaluation.Status.PENDING
    assert evaluation.subscription_ids == sorted(sub.pk for sub in lines)
    assert not Notice.all_companies.exists() and not OutboxMessage.objects.exists()


def test_the_task_is_written_in_the_imports_transaction_with_the_database_backend(lines, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _import(lines)
    [task] = DBTaskResult.objects.filter(task_path="guardrails.tasks.evaluate_usage")
    assert task.args_kwargs["args"] == [Evaluation.all_companies.get().pk]


def test_imports_before_the_task_starts_coalesce_into_one_evaluation(lines, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _import(lines[:2], name="a")
    _import(lines[3:], name="b")
    [evaluation] = Evaluation.all_companies.all()
    assert evaluation.imports == 2
    assert evaluation.subscription_ids == sorted(sub.pk for sub in lines[:2] + lines[3:])
    assert DBTaskResult.objects.filter(task_path="guardrails.tasks.evaluate_usage").count() == 1


def test_chunks_warn_each_line_once_and_a_second_run_sends_nothing(lines, settings):
    settings.GUARDRAILS_EVALUATION_CHUNK = 2
    _import(lines)
    evaluation = Evaluation.all_companies.get()
    assert evaluations.run(evaluation.pk) == {"warned": 5, "barred": 0}
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.done_through) == (Evaluation.Status.DONE, max(sub.pk for sub in lines))
    assert Notice.all_companies.count() == 5 and OutboxMessage.objects.count() == 10  # admin + employee each
    assert evaluations.run(evaluation.pk) == {"warned": 0, "barred": 0}
    # A re-run of a half-done evaluation (its worker killed after two chunks) does only the rest, once.
    evaluation.status, evaluation.done_through = Evaluation.Status.RUNNING, 0
    evaluation.save()
    evaluations.run(evaluation.pk)
    assert Notice.all_companies.count() == 5 and OutboxMessage.objects.count() == 10


def test_an_import_while_the_evaluation_runs_queues_a_new_one(lines):
    _import(lines[:2], name="a")
    first = Evaluation.all_companies.get()
    evaluations._claim(first.pk)  # the worker has started it
    _import(lines[2:], name="b")
    second = Evaluation.all_companies.get(status=Evaluation.Status.PENDING)
    assert second.pk != first.pk and second.subscription_ids == sorted(sub.pk for sub in lines[2:])


def test_a_rules_change_queues_every_line_with_use(lines):
    _import(lines[:3])
    Evaluation.all_companies.all().delete()
    company = lines[0].company
    actions.save_policy(company=company, scope="company", data={"spend_cap": 9000}, by=Actor.system("test"))
    evaluation = Evaluation.all_companies.get()
    assert evaluation.all_lines
    evaluations.run(evaluation.pk)
    evaluation.refresh_from_db()
    assert evaluation.subscription_ids == sorted(sub.pk for sub in lines[:3])
    assert Notice.all_companies.count() == 3
