"""Rotating a hub's signing secret: a new one answered once, both signatures for 24 hours, audited."""

import datetime

import pytest
from django.utils import timezone

from api.models import WebhookHub
from api.tests.receiver import Receiver, verify
from audit.actor import Actor
from audit.models import AuditEvent
from subscriptions import actions as subscription_actions
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db

HUB = "/tmf-api/productInventory/v4/hub"
BY = Actor.system("test")


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def _send_one(company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subscription_actions.suspend(SubscriptionFactory(company=company), reason="On leave", by=BY)


def test_it_answers_a_new_secret_once_and_audits_it(api_a, receiver):
    registered = api_a.post(HUB, {"callback": receiver.url}).json()
    response = api_a.post(f"{HUB}/{registered['id']}/rotateSecret", {}, HTTP_IDEMPOTENCY_KEY="rot-1")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != registered["secret"]
    assert body["previousSecretValidUntil"] is not None
    again = api_a.post(f"{HUB}/{registered['id']}/rotateSecret", {}, HTTP_IDEMPOTENCY_KEY="rot-1")
    assert (again["Idempotent-Replayed"], "secret" in again.json()) == ("true", False)  # replayed: never the secret
    assert "secret" not in api_a.get(f"{HUB}/{registered['id']}").json()
    hub = WebhookHub.all_companies.get(pk=registered["id"])
    assert body["secret"] not in hub.secret_encrypted + hub.previous_secret_encrypted
    (audit,) = AuditEvent.objects.for_company(hub.company).filter(action="api_hub.secret_rotated")
    assert audit.details["callback"] == receiver.url


def test_deliveries_carry_both_signatures_for_24_hours(personas, api_a, receiver, django_capture_on_commit_callbacks):
    registered = api_a.post(HUB, {"callback": receiver.url}).json()
    old = registered["secret"]
    new = api_a.post(f"{HUB}/{registered['id']}/rotateSecret", {}).json()["secret"]
    _send_one(personas.company_a, django_capture_on_commit_callbacks)
    (request,) = receiver.requests
    assert request.headers["X-Signature"].count("sha256=") == 2
    assert request.headers["X-Signature"].startswith("sha256=")  # the new one first
    assert verify(new, request.headers, request.body) and verify(old, request.headers, request.body)
    hub = WebhookHub.all_companies.get(pk=registered["id"])
    assert hub.previous_secret_expires_at - hub.secret_rotated_at == datetime.timedelta(hours=24)
    # A day later (the grace period is over):
    WebhookHub.all_companies.filter(pk=hub.pk).update(previous_secret_expires_at=timezone.now())
    _send_one(personas.company_a, django_capture_on_commit_callbacks)
    late = receiver.requests[1]
    assert late.headers["X-Signature"].count("sha256=") == 1
    assert verify(new, late.headers, late.body) and not verify(old, late.headers, late.body)


def test_a_second_rotation_drops_the_oldest_secret(personas, api_a, receiver, django_capture_on_commit_callbacks):
    registered = api_a.post(HUB, {"callback": receiver.url}).json()
    second = api_a.post(f"{HUB}/{registered['id']}/rotateSecret", {}).json()["secret"]
    third = api_a.post(f"{HUB}/{registered['id']}/rotateSecret", {}).json()["secret"]
    _send_one(personas.company_a, django_capture_on_commit_callbacks)
    (request,) = receiver.requests
    assert verify(third, request.headers, request.body) and verify(second, request.headers, request.body)
    assert not verify(registered["secret"], request.headers, request.body)


def test_another_companys_hub_cannot_be_rotated(api_a, api_b, receiver):
    registered = api_b.post(HUB, {"callback": receiver.url}).json()
    assert api_a.post(f"{HUB}/{registered['id']}/rotateSecret", {}).status_code == 404
    assert WebhookHub.all_companies.get(pk=registered["id"]).secret_rotated_at is None


def test_a_read_only_client_cannot_rotate(personas, readonly_api_a, api_a, receiver):
    registered = api_a.post(HUB, {"callback": receiver.url}).json()
    response = readonly_api_a.post(f"{HUB}/{registered['id']}/rotateSecret", {})
    assert (response.status_code, response.json()["code"]) == (403, "read_only")
