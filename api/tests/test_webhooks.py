"""Webhooks: registering a TMF hub, events recorded with the change, signed deliveries, retries, redelivery."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from api import delivery as sending
from api.models import WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookHub
from api.tests.factories import make_delivery, make_hub
from api.tests.receiver import Receiver, verify
from api.webhooks import resolve_callback
from audit.actor import Actor
from audit.models import AuditEvent
from invoicing.events import InvoiceIssued
from invoicing.tests.factories import InvoiceFactory
from registry.events import publish
from subscriptions import actions as subscription_actions
from subscriptions.models import Subscription
from subscriptions.tests.factories import SubscriptionFactory
from tickets import actions as ticket_actions
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

HUB = "/tmf-api/productInventory/v4/hub"
BY = Actor.system("test")


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def _suspend(sub):
    return subscription_actions.suspend(sub, reason="On leave", by=BY)


# Registration through the API ---------------------------------------------------------------------


def test_it_registers_a_hub_and_answers_its_secret_once(api_a, receiver):
    response = api_a.post(HUB, {"callback": receiver.url, "query": "eventType=ProductStateChangeEvent"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["eventType"] == ["ProductStateChangeEvent"]
    assert response["Location"] == body["href"]
    hub = WebhookHub.all_companies.get(pk=body["id"])
    assert body["secret"] not in hub.secret_encrypted  # stored encrypted, never in clear
    read = api_a.get(f"{HUB}/{hub.pk}").json()
    assert (read["callback"], "secret" in read) == (receiver.url, False)
    assert [h["id"] for h in api_a.get(HUB).json()] == [str(hub.pk)]
    assert AuditEvent.objects.for_company(hub.company).filter(action="api_hub.registered").count() == 1


def test_an_empty_query_listens_to_every_event_of_the_api(api_a, receiver):
    body = api_a.post(HUB, {"callback": receiver.url}).json()
    assert body["eventType"] == ["ProductCreateEvent", "ProductStateChangeEvent"]


def test_a_retry_with_the_same_idempotency_key_answers_the_hub_without_the_secret(api_a, receiver):
    first = api_a.post(HUB, {"callback": receiver.url}, HTTP_IDEMPOTENCY_KEY="hub-1")
    again = api_a.post(HUB, {"callback": receiver.url}, HTTP_IDEMPOTENCY_KEY="hub-1")
    assert (again.status_code, again["Idempotent-Replayed"], again.json()["id"]) == (201, "true", first.json()["id"])
    assert "secret" not in again.json()
    assert WebhookHub.all_companies.count() == 1


def test_it_unregisters_a_hub(api_a, receiver):
    hub_id = api_a.post(HUB, {"callback": receiver.url}).json()["id"]
    assert api_a.delete(f"{HUB}/{hub_id}").status_code == 204
    assert api_a.get(f"{HUB}/{hub_id}").status_code == 404
    assert api_a.get(HUB).json() == []


def test_another_companys_hub_answers_404(api_a, api_b, receiver):
    hub_id = api_b.post(HUB, {"callback": receiver.url}).json()["id"]
    assert api_a.get(f"{HUB}/{hub_id}").status_code == 404
    assert api_a.delete(f"{HUB}/{hub_id}").status_code == 404
    assert WebhookHub.all_companies.get(pk=hub_id).deleted_at is None


def test_a_hub_is_read_under_its_own_api_only(api_a, receiver):
    hub_id = api_a.post(HUB, {"callback": receiver.url}).json()["id"]
    assert api_a.get(f"/tmf-api/troubleTicket/v4/hub/{hub_id}").status_code == 404


def test_a_read_only_client_cannot_register(readonly_api_a, receiver):
    response = readonly_api_a.post(HUB, {"callback": receiver.url})
    assert (response.status_code, response.json()["code"]) == (403, "read_only")
    assert not WebhookHub.all_companies.exists()


@pytest.mark.parametrize(
    ("callback", "query"),
    [
        ("http://hooks.example.com/x", ""),  # not https
        ("https://10.1.2.3/x", ""),  # private
        ("https://169.254.169.254/latest/meta-data", ""),  # cloud metadata (link-local)
        ("https://user:pw@127.0.0.1/x", ""),  # credentials in the URL
        ("https://no-such-host.invalid/x", ""),
        ("not a url", ""),
        ("http://127.0.0.1:9/x", "eventType=CustomerBillCreateEvent"),  # not this API's event
        ("http://127.0.0.1:9/x", "status=active"),
    ],
)
def test_it_refuses_bad_callbacks_and_queries_with_422(api_a, callback, query):
    response = api_a.post(HUB, {"callback": callback, "query": query})
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] in ("callback", "query")


def test_in_production_only_public_https_callbacks_are_allowed(settings):
    settings.WEBHOOK_ALLOW_LOCAL = False
    for url in ("http://127.0.0.1:8000/x", "https://127.0.0.1/x", "https://[::ffff:10.0.0.1]/x", "https://[::1]/x"):
        with pytest.raises(ValidationError):
            resolve_callback(url)
    assert resolve_callback("https://8.8.8.8/hook?x=1").path == "/hook?x=1"


# Events are recorded in the change's transaction ---------------------------------------------------


def test_a_state_change_records_one_event_per_listening_hub(personas):
    hub, _secret = make_hub(personas.company_a, query="eventType=ProductStateChangeEvent")
    make_hub(personas.company_a, api=WebhookHub.Api.TROUBLE_TICKET)  # another API: not told
    sub = SubscriptionFactory(company=personas.company_a)
    _suspend(sub)
    event = WebhookEvent.all_companies.get()
    assert event.event_type == "ProductStateChangeEvent"
    assert event.payload["event"]["product"]["status"] == "suspended"
    assert event.payload["event"]["previousStatus"] == "active"
    assert event.payload["eventId"] == str(event.event_id)
    assert [d.hub for d in WebhookDelivery.all_companies.all()] == [hub]


def test_a_rolled_back_change_records_no_event(personas):
    make_hub(personas.company_a)
    sub = SubscriptionFactory(company=personas.company_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        _suspend(sub)
        assert WebhookEvent.all_companies.count() == 1  # written with the change ...
        raise RuntimeError("the request failed after the change")
    assert WebhookEvent.all_companies.count() == 0  # ... and gone with it
    assert WebhookDelivery.all_companies.count() == 0
    assert Subscription.all_companies.get(pk=sub.pk).status == Subscription.Status.ACTIVE


def test_nothing_is_recorded_when_nobody_listens(personas):
    make_hub(personas.company_b)  # another company's hub
    _suspend(SubscriptionFactory(company=personas.company_a))
    assert not WebhookEvent.all_companies.exists()


def test_a_bulk_cancellation_records_an_event_per_subscription(personas):
    from subscriptions.actions.bulk import apply_bulk, preview_bulk

    make_hub(personas.company_a)
    subs = [SubscriptionFactory(company=personas.company_a) for _ in range(3)]
    qs = Subscription.objects.filter(company=personas.company_a)
    on = timezone.localdate() + datetime.timedelta(days=90)
    token = preview_bulk(qs, action="cancel", on=on).token
    apply_bulk(qs, company=personas.company_a, action="cancel", token=token, on=on, reason="Closing the office", by=BY)
    events = WebhookEvent.all_companies.all()
    assert sorted(e.payload["event"]["product"]["id"] for e in events) == sorted(str(s.pk) for s in subs)
    assert {e.payload["event"]["product"]["status"] for e in events} == {"pendingTerminate"}


def test_a_staff_reply_and_a_status_change_are_ticket_events(personas):
    make_hub(personas.company_a, api=WebhookHub.Api.TROUBLE_TICKET)
    ticket = TicketFactory(company=personas.company_a)
    ticket_actions.reply_as_staff(ticket, body="We are looking at it", by=Actor(user=personas.staff))
    types = {e.event_type: e.payload["event"] for e in WebhookEvent.all_companies.all()}
    note = types["TroubleTicketAttributeValueChangeEvent"]
    assert (note["fieldPath"], note["troubleTicket"]["note"][0]["text"]) == ("note", "We are looking at it")
    assert types["TroubleTicketStatusChangeEvent"]["troubleTicket"]["status"] == "inProgress"


def test_an_internal_note_is_no_event(personas):
    make_hub(
        personas.company_a, api=WebhookHub.Api.TROUBLE_TICKET, query="eventType=TroubleTicketAttributeValueChangeEvent"
    )
    ticket = TicketFactory(company=personas.company_a)
    ticket_actions.reply_as_staff(ticket, body="Customer is grumpy", internal=True, by=Actor(user=personas.staff))
    assert not WebhookEvent.all_companies.exists()


def test_an_issued_invoice_is_a_bill_event(personas):
    make_hub(personas.company_a, api=WebhookHub.Api.CUSTOMER_BILL)
    invoice = InvoiceFactory(company=personas.company_a)
    publish(InvoiceIssued(invoice_id=invoice.pk, company_id=invoice.company_id))
    event = WebhookEvent.all_companies.get()
    assert (event.event_type, event.payload["event"]["customerBill"]["id"]) == (
        "CustomerBillCreateEvent",
        str(invoice.pk),
    )


def test_a_billing_run_and_a_credit_note_are_bill_events(personas):
    from invoicing.actions import create_credit_note
    from invoicing.billing import run_billing
    from invoicing.models import Invoice
    from invoicing.tests.factories import SubscriptionFactory as BilledSubscriptionFactory

    billed = BilledSubscriptionFactory(company=personas.company_a, start_date=datetime.date(2026, 10, 1))
    BilledSubscriptionFactory(company=personas.company_b, start_date=datetime.date(2026, 10, 1))  # nobody listens
    make_hub(billed.company, api=WebhookHub.Api.CUSTOMER_BILL)
    run_billing("2026-11", by=BY, issue_date=datetime.date(2026, 12, 1))
    invoice = Invoice.all_companies.get(company=billed.company)
    credit = create_credit_note(invoice=invoice, reason="Wrong price", by=BY)
    bills = [e.payload["event"]["customerBill"] for e in WebhookEvent.all_companies.order_by("created_at", "id")]
    assert [(b["billNo"], b["category"]) for b in bills] == [
        (str(invoice.number), "normal"),
        (str(credit.number), "creditNote"),
    ]


def test_a_revoked_client_hears_nothing_more(personas):
    from api.actions import revoke_client

    hub, _secret = make_hub(personas.company_a)
    revoke_client(hub.client, by=BY)
    _suspend(SubscriptionFactory(company=personas.company_a))
    assert not WebhookEvent.all_companies.exists()


# Delivery ----------------------------------------------------------------------------------------


def test_it_posts_the_event_signed_and_retries_until_it_is_delivered_once(
    personas, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [503, 500]  # fails twice, then answers 200
    _hub, secret = make_hub(personas.company_a, callback=receiver.url)
    sub = SubscriptionFactory(company=personas.company_a)
    with django_capture_on_commit_callbacks(execute=True):
        _suspend(sub)
    assert len(receiver.requests) == 3
    assert len(receiver.distinct_events()) == 1
    for request in receiver.requests:
        assert verify(secret, request.headers, request.body)
        assert request.event["eventType"] == "ProductStateChangeEvent"
        assert request.event["eventId"] == request.event_id
    assert not verify("whsec_wrong", receiver.requests[0].headers, receiver.requests[0].body)
    delivery = WebhookDelivery.all_companies.get()
    assert (delivery.status, delivery.tries, delivery.delivered_at is not None) == ("delivered", 3, True)
    attempts = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))
    assert [(a.number, a.status_code) for a in attempts] == [(1, 503), (2, 500), (3, 200)]
    assert attempts[0].error == "HTTP 503" and attempts[0].finished_at is not None


def test_a_failed_try_is_queued_again_with_exponential_backoff(personas, receiver, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WEBHOOK_RETRY_SECONDS = 30
    receiver.statuses = [500, 500]
    delivery = make_delivery(
        personas.company_a, hub=make_hub(personas.company_a, callback=receiver.url)[0], status="pending"
    )
    delivery.tries = 0
    delivery.save()
    delays = []
    for _ in range(2):
        started = timezone.now()
        sending.deliver(delivery.pk)
        task = DBTaskResult.objects.order_by("-enqueued_at").first()
        delays.append(round((task.run_after - started).total_seconds()))
    assert delays == [30, 60]
    assert WebhookDelivery.all_companies.get(pk=delivery.pk).status == "pending"
    assert [sending.retry_delay(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_it_gives_up_after_the_last_try(personas, receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_TRIES = 3
    receiver.statuses = [500] * 10
    make_hub(personas.company_a, callback=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        _suspend(SubscriptionFactory(company=personas.company_a))
    delivery = WebhookDelivery.all_companies.get()
    assert (delivery.status, delivery.tries, delivery.last_error) == ("failed", 3, "HTTP 500")
    assert len(receiver.requests) == 3


def test_an_unreachable_callback_is_an_attempt_with_its_error(personas, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_TRIES = 1
    make_hub(personas.company_a, callback="http://127.0.0.1:9/nobody-listens")
    with django_capture_on_commit_callbacks(execute=True):
        _suspend(SubscriptionFactory(company=personas.company_a))
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, "Refused" in attempt.error) == (None, True)
    assert WebhookDelivery.all_companies.get().status == "failed"


# The portal: hubs on the API clients page, the delivery history, Redeliver --------------------------------


def test_the_api_clients_page_lists_each_clients_hubs(personas, login):
    hub, _secret = make_hub(personas.company_a, callback="http://127.0.0.1:9/hr-sync")
    make_hub(personas.company_b, callback="http://127.0.0.1:9/other-company")
    page = login(personas.admin_a).get(reverse("api_clients:list")).content.decode()
    assert "http://127.0.0.1:9/hr-sync" in page
    assert reverse("api_clients:hub", args=[hub.pk]) in page
    assert "other-company" not in page


def test_the_hub_page_shows_the_delivery_history(personas, login, django_assert_max_num_queries):
    hub, _secret = make_hub(personas.company_a)
    for _ in range(5):
        delivery = make_delivery(personas.company_a, hub=hub, status="failed")
        WebhookAttempt.objects.create(
            delivery=delivery, number=1, finished_at=timezone.now(), status_code=502, error="HTTP 502"
        )
    admin = login(personas.admin_a)
    with django_assert_max_num_queries(12):
        response = admin.get(reverse("api_clients:hub", args=[hub.pk]))
    page = response.content.decode()
    assert page.count("HTTP 502") >= 5
    assert page.count("Redeliver") == 5


def test_redeliver_sends_the_event_again_once(personas, login, receiver, django_capture_on_commit_callbacks):
    hub, secret = make_hub(personas.company_a, callback=receiver.url)
    delivery = make_delivery(personas.company_a, hub=hub, status="delivered")
    admin = login(personas.admin_a)
    url = reverse("api_clients:redeliver", args=[delivery.pk])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = admin.post(url)
        second = admin.post(url, follow=True)  # a double click: already waiting, not queued twice
    assert first.status_code == 302
    assert "already waiting" in second.content.decode()
    assert len(queued) == 1
    queued[0]()
    assert len(receiver.requests) == 1 and verify(secret, receiver.requests[0].headers, receiver.requests[0].body)
    assert WebhookDelivery.all_companies.get(pk=delivery.pk).status == "delivered"
    audit = AuditEvent.objects.for_company(personas.company_a).get(action="api_hub.redelivered")
    assert audit.details["event_id"] == str(delivery.event.event_id)


def test_a_read_only_admin_cannot_redeliver(personas, login):
    delivery = make_delivery(personas.company_a)
    response = login(personas.readonly_a).post(reverse("api_clients:redeliver", args=[delivery.pk]))
    assert response.status_code == 403
    assert WebhookDelivery.all_companies.get(pk=delivery.pk).status == "failed"


def test_the_payload_is_plain_json(personas):
    make_hub(personas.company_a)
    _suspend(SubscriptionFactory(company=personas.company_a))
    assert json.loads(json.dumps(WebhookEvent.all_companies.get().payload))["eventType"] == "ProductStateChangeEvent"


def test_a_new_subscription_and_its_activation_are_product_events(personas):
    from subscriptions.events import SubscriptionCreated
    from subscriptions.tasks import provision_subscription

    make_hub(personas.company_a)
    sub = SubscriptionFactory(company=personas.company_a, status=Subscription.Status.PENDING_ACTIVE)
    publish(SubscriptionCreated(subscription=sub, port_in=None, by=BY))
    provision_subscription.call(sub.pk)
    events = {e.event_type: e.payload["event"] for e in WebhookEvent.all_companies.all()}
    assert events["ProductCreateEvent"]["product"]["id"] == str(sub.pk)
    assert (
        events["ProductStateChangeEvent"]["previousStatus"],
        events["ProductStateChangeEvent"]["product"]["status"],
    ) == (
        "pendingActive",
        "active",
    )


def test_the_end_of_a_cancelled_subscription_is_a_state_change(personas):
    make_hub(personas.company_a)
    sub = SubscriptionFactory(
        company=personas.company_a,
        status=Subscription.Status.PENDING_TERMINATE,
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    subscription_actions.apply_due_changes(by=BY)
    event = WebhookEvent.all_companies.get()
    assert (event.payload["event"]["product"]["id"], event.payload["event"]["product"]["status"]) == (
        str(sub.pk),
        "terminated",
    )


def test_the_signing_secrets_follow_a_key_rotation(personas, settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from api.webhooks import hub_secret

    hub, secret = make_hub(personas.company_a)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_webhook_secrets")
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key removed
    hub.refresh_from_db()
    assert hub_secret(hub) == secret


def test_the_pages_cost_the_same_queries_whatever_the_number_of_hubs(personas, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from api.tests.factories import make_client

    admin = login(personas.admin_a)
    hub, _secret = make_hub(personas.company_a)
    make_delivery(personas.company_a, hub=hub)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(url).status_code == 200
        return len(captured)

    admin.get(reverse("api_clients:list"))  # the first page of a session also remembers the company
    few = (queries(reverse("api_clients:list")), queries(reverse("api_clients:hub", args=[hub.pk])))
    for _ in range(3):
        client = make_client(personas.company_a)[0]
        make_hub(personas.company_a, client=client)
        make_hub(personas.company_a, client=client, api=WebhookHub.Api.CUSTOMER_BILL)
    for _ in range(6):
        delivery = make_delivery(personas.company_a, hub=hub)
        WebhookAttempt.objects.create(delivery=delivery, number=1, status_code=500)
    many = (queries(reverse("api_clients:list")), queries(reverse("api_clients:hub", args=[hub.pk])))
    assert few == many, (few, many)


def test_a_delivery_whose_task_was_lost_can_be_redelivered(personas, login):
    delivery = make_delivery(personas.company_a, status="pending")
    admin = login(personas.admin_a)
    url = reverse("api_clients:redeliver", args=[delivery.pk])
    assert "already waiting" in admin.post(url, follow=True).content.decode()  # just queued: it waits
    WebhookDelivery.all_companies.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(hours=1)
    )
    page = admin.get(reverse("api_clients:hub", args=[delivery.hub_id])).content.decode()
    assert "Redeliver" in page
    admin.post(url)
    assert AuditEvent.objects.for_company(personas.company_a).filter(action="api_hub.redelivered").count() == 1
