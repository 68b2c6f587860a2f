"""Bulk updates above the threshold run as a task: all or nothing, once, visible on a job page."""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.actor import Actor
from audit.models import AuditEvent
from subscriptions import actions
from subscriptions.models import BulkJob, Subscription
from subscriptions.tasks import apply_bulk_job
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
URL = reverse("subscriptions:bulk")
DAY = timezone.localdate() + datetime.timedelta(days=60)


@pytest.fixture
def limit(settings):
    settings.SUBSCRIPTIONS_BULK_SYNC_LIMIT = 2
    return 2


@pytest.fixture
def subs(personas, catalogue):
    return [SubscriptionFactory(company=personas.company_a, product=catalogue["mobil-basis-5"]) for _ in range(4)]


def _cancel_data(subs):
    return {"action": "cancel", "ids": [s.pk for s in subs], "end_date": DAY.isoformat(), "reason": "Flytter"}


def _apply(client, data):
    preview = client.post(URL, data)
    return client.post(URL, {**data, "token": preview.context["preview"].token, "apply": "1"})


def test_it_applies_a_set_within_the_threshold_in_the_request(subs, limit, login, personas):
    response = _apply(login(personas.admin_a), _cancel_data(subs[:limit]))
    assert response.status_code == 302
    assert response["Location"] == reverse("subscriptions:index")
    assert not BulkJob.all_companies.exists()
    assert Subscription.all_companies.filter(status="pending_terminate").count() == limit


def test_it_queues_a_set_above_the_threshold_and_shows_its_progress(
    subs, limit, login, personas, django_capture_on_commit_callbacks
):
    client = login(personas.admin_a)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = _apply(client, _cancel_data(subs))
    job = BulkJob.all_companies.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("subscriptions:bulk_job", args=[job.pk])
    assert (job.company, job.status, job.total, job.created_by) == (personas.company_a, "queued", 4, personas.admin_a)
    assert sorted(job.subscription_ids) == sorted(s.pk for s in subs)
    assert AuditEvent.all_companies.filter(action="subscription.bulk_queued", target_id=str(job.pk)).exists()
    # Nothing has changed yet: the page polls (htmx) and has a refresh link for browsers without JavaScript.
    assert not Subscription.all_companies.filter(status="pending_terminate").exists()
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'data-testid="bulk-job-refresh"' in page
    assert "Cancel 4 subscriptions with effect from" in page

    for callback in queued:
        callback()  # the worker runs the task

    job.refresh_from_db()
    assert (job.status, job.changed, job.failure) == ("done", 4, "")
    assert Subscription.all_companies.filter(status="pending_terminate", cancel_reason="Flytter").count() == 4
    events = AuditEvent.all_companies.filter(action="subscription.cancelled")
    assert events.count() == 4 and {e.actor for e in events} == {personas.admin_a}
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "Done: 4 subscriptions were changed." in fragment
    assert "<html" not in fragment and "hx-trigger" not in fragment  # polling stops when the job is done


def test_it_shows_the_job_page_in_danish(subs, limit, personas, login):
    personas.admin_a.language = "da"
    personas.admin_a.save()
    job = actions.start_bulk_job(
        actions.preview_bulk(Subscription.objects.filter(company=personas.company_a), action="cost_centre"),
        company=personas.company_a,
        token=_token(personas),
        by=Actor(user=personas.admin_a),
        cost_centre="IT",
    )
    page = login(personas.admin_a).get(reverse("subscriptions:bulk_job", args=[job.pk])).content.decode()
    assert "Flyt 4 abonnementer til omkostningssted IT" in page
    assert "Venter på at gå i gang." in page


def _token(personas):
    return actions.preview_bulk(Subscription.objects.filter(company=personas.company_a), action="cost_centre").token


def _start(personas, **values):
    qs = Subscription.objects.filter(company=personas.company_a)
    preview = actions.preview_bulk(qs, action=values.pop("action"), target=values.get("target"), on=values.get("on"))
    return actions.start_bulk_job(
        preview, company=personas.company_a, token=preview.token, by=Actor(user=personas.admin_a), **values
    )


def test_it_changes_nothing_when_one_row_became_invalid_before_the_task_ran(subs, personas):
    job = _start(personas, action="cancel", on=DAY, reason="Lukker")
    # Between the preview and the task, one subscription is cancelled on its own page.
    actions.cancel(subs[0], on=DAY, reason="Stopper selv", by=Actor(user=personas.admin_a))

    apply_bulk_job.call(job.pk)

    job.refresh_from_db()
    assert (job.status, job.failure, job.conflicts, job.changed) == ("failed", "conflict", 1, 0)
    assert Subscription.all_companies.filter(status="active").count() == 3
    assert Subscription.all_companies.get(pk=subs[0].pk).cancel_reason == "Stopper selv"
    assert not AuditEvent.all_companies.filter(action="subscription.cancelled", details__bulk=True).exists()


def test_it_says_so_on_the_job_page_when_it_changed_nothing(subs, personas, login):
    job = _start(personas, action="cost_centre", cost_centre="IT")
    Subscription.all_companies.filter(pk=subs[1].pk).update(status=Subscription.Status.TERMINATED)
    apply_bulk_job.call(job.pk)
    page = login(personas.admin_a).get(reverse("subscriptions:bulk_job", args=[job.pk])).content.decode()
    assert "1 of the 4 subscriptions changed after the preview and no longer allows this change" in page
    assert set(Subscription.all_companies.values_list("cost_centre", flat=True)) == {"Salg"}


def test_it_does_not_apply_twice_when_the_task_runs_again(subs, personas, catalogue):
    target = catalogue["mobil-plus-30"]
    job = _start(personas, action="change_product", target=target)
    apply_bulk_job.call(job.pk)
    # A worker that died after committing leaves the task to be run again; by then a row has moved on.
    Subscription.all_companies.filter(pk=subs[0].pk).update(product=catalogue["mobil-basis-5"])
    apply_bulk_job.call(job.pk)

    job.refresh_from_db()
    assert (job.status, job.changed) == ("done", 4)
    assert AuditEvent.all_companies.filter(action="subscription.product_changed").count() == 4
    assert Subscription.all_companies.get(pk=subs[0].pk).product == catalogue["mobil-basis-5"]


def test_it_applies_once_after_a_worker_died_while_running(subs, personas):
    job = _start(personas, action="cost_centre", cost_centre="IT")
    # The first attempt marked it running, then its process died: its transaction rolled back.
    BulkJob.all_companies.filter(pk=job.pk).update(status=BulkJob.Status.RUNNING, started_at=timezone.now())
    apply_bulk_job.call(job.pk)
    apply_bulk_job.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.changed) == ("done", 4)
    assert AuditEvent.all_companies.filter(action="subscription.cost_centre_changed").count() == 4


def test_it_never_touches_another_companys_subscription_named_in_a_job(subs, personas):
    foreign = SubscriptionFactory(company=personas.company_b)
    job = _start(personas, action="cost_centre", cost_centre="Hacked")
    BulkJob.all_companies.filter(pk=job.pk).update(subscription_ids=[*job.subscription_ids, foreign.pk], total=5)
    apply_bulk_job.call(job.pk)
    job.refresh_from_db()
    foreign.refresh_from_db()
    assert (job.status, job.failure) == ("failed", "conflict")
    assert foreign.cost_centre != "Hacked"
    assert not Subscription.all_companies.filter(cost_centre="Hacked").exists()


def test_it_marks_the_job_failed_on_an_unexpected_error(subs, personas, monkeypatch):
    job = _start(personas, action="cost_centre", cost_centre="IT")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions.bulk, "_write_bulk", broken)
    with pytest.raises(RuntimeError):
        apply_bulk_job.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.failure) == ("failed", "error")
    assert set(Subscription.all_companies.values_list("cost_centre", flat=True)) == {"Salg"}


def test_it_refuses_to_queue_when_the_selection_changed_since_the_preview(subs, limit, login, personas):
    client = login(personas.admin_a)
    data = _cancel_data(subs)
    preview = client.post(URL, data)
    SubscriptionFactory(company=personas.company_a)  # not in the ids: the ticked set is unchanged
    Subscription.all_companies.filter(pk=subs[0].pk).update(status=Subscription.Status.TERMINATED)
    response = client.post(URL, {**data, "token": preview.context["preview"].token, "apply": "1"})
    assert response.status_code == 400
    assert b"changed since the preview" in response.content
    assert not BulkJob.all_companies.exists()


def test_read_only_admins_cannot_start_one(subs, limit, login, personas):
    response = login(personas.readonly_a).post(URL, {**_cancel_data(subs), "apply": "1", "token": "x"})
    assert response.status_code == 403
    assert not BulkJob.all_companies.exists()


def test_another_companys_job_answers_404(subs, personas, login):
    job = _start(personas, action="cost_centre", cost_centre="IT")
    url = reverse("subscriptions:bulk_job", args=[job.pk])
    assert login(personas.outsider).get(url).status_code == 404
    assert login(personas.outsider).get(url, headers={"HX-Request": "true"}).status_code == 404
    assert login(personas.readonly_a).get(url).status_code == 200


def test_the_progress_fragment_costs_a_fixed_number_of_queries(subs, personas, login, django_assert_num_queries):
    job = _start(personas, action="cost_centre", cost_centre="IT")
    client = login(personas.admin_a)
    url = reverse("subscriptions:bulk_job", args=[job.pk])
    client.get(url, headers={"HX-Request": "true"})  # warm the session
    # Session, user (membership from the session), the job (with its product, without the id list);
    # no session save (at most one a minute: portal.middleware.SlidingSessionMiddleware).
    with django_assert_num_queries(3):
        response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200


needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrency")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_it_applies_once_when_two_workers_run_the_same_job_at_once(personas, catalogue):
    # A reclaimed task can start while the first worker is still alive: the job's row lock serialises them.
    for _ in range(20):
        SubscriptionFactory(company=personas.company_a, product=catalogue["mobil-basis-5"])
    job = _start(personas, action="cost_centre", cost_centre="IT")
    errors = []

    def run():
        try:
            actions.run_bulk_job(job.pk)
        except Exception as error:  # noqa: BLE001 - report any failure to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    job.refresh_from_db()
    assert not errors
    assert (job.status, job.changed) == ("done", 20)
    assert AuditEvent.all_companies.filter(action="subscription.cost_centre_changed").count() == 20


def test_staff_can_look_at_jobs_in_django_admin(subs, personas, login):
    job = _start(personas, action="cost_centre", cost_centre="IT")
    client = login(personas.staff)
    assert client.get(reverse("admin:subscriptions_bulkjob_changelist")).status_code == 200
    assert client.get(reverse("admin:subscriptions_bulkjob_change", args=[job.pk])).status_code == 200
