"""Webhooks (TMF ``/hub``): what a client may listen to, the callback's checks, signing, and the writes.

A client registers a callback and a query (``eventType=ProductStateChangeEvent,ProductCreateEvent``)
on one API; ``api.webhook_events`` records matching events in the transaction of the change and
``api.delivery`` posts them, signed, from the durable task queue.
"""

import datetime
import hashlib
import hmac
import ipaddress
import secrets
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import APIClient, WebhookDelivery, WebhookHub
from audit.actor import Actor
from audit.events import record
from jobs.queue import enqueue
from subscriptions import crypto

# The event types of each API (TMF637, TMF621, TMF678, TMF622 v4 names; the Numbers API's in their style) and the area a listener needs.
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    WebhookHub.Api.PRODUCT_INVENTORY: ("ProductCreateEvent", "ProductStateChangeEvent"),
    WebhookHub.Api.TROUBLE_TICKET: ("TroubleTicketStatusChangeEvent", "TroubleTicketAttributeValueChangeEvent"),
    WebhookHub.Api.CUSTOMER_BILL: ("CustomerBillCreateEvent",),
    WebhookHub.Api.PRODUCT_ORDERING: ("ProductOrderStateChangeEvent",),
    WebhookHub.Api.NUMBERING: ("PortRequestStateChangeEvent", "CallFlowCreateEvent"),
    WebhookHub.Api.HARDWARE_ORDERING: ("ProductOrderStateChangeEvent",),
}
AREA_OF_API: dict[str, str] = {
    WebhookHub.Api.PRODUCT_INVENTORY: "subscriptions",
    WebhookHub.Api.TROUBLE_TICKET: "tickets",
    WebhookHub.Api.CUSTOMER_BILL: "invoice",
    WebhookHub.Api.PRODUCT_ORDERING: "subscriptions",
    WebhookHub.Api.NUMBERING: "numbers",
    WebhookHub.Api.HARDWARE_ORDERING: "products",
}
MAX_HUBS_PER_CLIENT = 20
# After a secret is rotated, deliveries carry the old secret's signature too for this long.
SECRET_GRACE = datetime.timedelta(hours=24)
# A waiting delivery whose try was due this long (plus a task lease) ago has lost its task.
STUCK_AFTER = datetime.timedelta(minutes=15)
SIGNATURE_HEADER = "X-Signature"
TIMESTAMP_HEADER = "X-Timestamp"
EVENT_ID_HEADER = "X-Event-Id"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def parse_query(api: str, query: str) -> list[str]:
    """The event types a TMF hub query names (``eventType=A,B``, or ``eventType=A&eventType=B``); all when empty."""
    allowed = EVENT_TYPES[api]
    if not query.strip():
        return list(allowed)
    types: list[str] = []
    for part in query.split("&"):
        name, sep, value = part.partition("=")
        if name.strip() != "eventType" or not sep:
            raise ValidationError({"query": f"only eventType=… is supported, e.g. eventType={allowed[0]}"})
        for event_type in (v.strip() for v in value.split(",")):
            if event_type not in allowed:
                raise ValidationError({"query": f"unknown event type {event_type!r}; one of {', '.join(allowed)}"})
            if event_type not in types:
                types.append(event_type)
    return types


# The callback: https, and never an address inside our network (SSRF) -----------------------------


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class Target:
    """Where a callback's POST goes: the URL's parts and the one address that was checked."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def resolve_callback(url: str) -> Target:
    """Checks a callback URL and resolves it to an address we may connect to; ValidationError otherwise.

    https only, no user or password in the URL, and every address the name resolves to must be public
    (no private, loopback, link-local or reserved ranges). ``WEBHOOK_ALLOW_LOCAL`` (development, tests)
    also allows http and https to 127.0.0.1. Checked at registration and again before every POST, which
    then connects to the checked address itself, so a name re-pointed in DNS cannot reach inside.
    """
    parts = urlsplit(url.strip())
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ValidationError({"callback": "not a valid URL"}) from None
    local = bool(getattr(settings, "WEBHOOK_ALLOW_LOCAL", False)) and host in LOCAL_HOSTS
    if parts.scheme != "https" and not (local and parts.scheme == "http"):
        raise ValidationError({"callback": "must be an https:// URL"})
    if not host or parts.username is not None or parts.password is not None:
        raise ValidationError({"callback": "must name a host, without a user name or password"})
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ValidationError({"callback": f"the host {host!r} cannot be resolved"}) from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses or not (local or all(_is_public(a) for a in addresses)):
        raise ValidationError({"callback": "must not point to a private, loopback or reserved address"})
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=addresses[0])


# Signing ---------------------------------------------------------------------------------------------


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``"<timestamp>.<body>"`` with the hub's secret."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def hub_secret(hub: WebhookHub) -> str:
    return crypto.decrypt_strict(hub.secret_encrypted)


def signing_secrets(hub: WebhookHub) -> list[str]:
    """The secrets a delivery is signed with now: the hub's, then the old one during its grace period."""
    secrets_ = [hub_secret(hub)]
    expires = hub.previous_secret_expires_at
    if hub.previous_secret_encrypted and expires is not None and expires > timezone.now():
        secrets_.append(crypto.decrypt_strict(hub.previous_secret_encrypted))
    return secrets_


def signatures(secrets_: list[str], timestamp: int, body: bytes) -> str:
    """The ``X-Signature`` value: ``sha256=<new>`` and, during a rotation's grace period, ``, sha256=<old>``."""
    return ", ".join(signature(secret, timestamp, body) for secret in secrets_)


# Writes -----------------------------------------------------------------------------------------------


@transaction.atomic
def register_hub(*, client: APIClient, api: str, callback: str, query: str, by: Actor) -> tuple[WebhookHub, str]:
    """A new listener; returns it with its signing secret, which is shown once."""
    event_types = parse_query(api, query)
    resolve_callback(callback)
    active = WebhookHub.objects.filter(company=client.company, client=client, deleted_at__isnull=True)
    if active.count() >= MAX_HUBS_PER_CLIENT:
        raise ValidationError({"callback": f"a client can have at most {MAX_HUBS_PER_CLIENT} listeners"})
    secret = new_secret()
    hub = WebhookHub.objects.create(
        company=client.company,
        client=client,
        api=api,
        callback=callback.strip(),
        query=query.strip(),
        event_types=event_types,
        secret_encrypted=crypto.encrypt(secret),
    )
    record(
        "api_hub.registered",
        by=by,
        company=client.company,
        target=hub,
        details={"client": client.key_prefix, "callback": hub.callback, "event_types": event_types},
    )
    return hub, secret


@transaction.atomic
def unregister_hub(hub: WebhookHub, *, by: Actor) -> None:
    """Stops the listener; its deliveries still waiting are given up, the history stays."""
    hub = WebhookHub.objects.for_company(hub.company).select_for_update().get(pk=hub.pk)
    if hub.deleted_at is not None:
        return
    hub.deleted_at = timezone.now()
    hub.save(update_fields=["deleted_at"])
    WebhookDelivery.objects.filter(company=hub.company, hub=hub, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, last_error="The listener was unregistered."
    )
    record("api_hub.unregistered", by=by, company=hub.company, target=hub, details={"callback": hub.callback})


@transaction.atomic
def rotate_hub_secret(hub: WebhookHub, *, by: Actor) -> tuple[WebhookHub, str]:
    """A new signing secret, returned once; the old one keeps signing beside it for ``SECRET_GRACE``.

    Rotating again within the grace period drops the oldest: only the secret just replaced stays valid.
    """
    hub = WebhookHub.objects.for_company(hub.company).select_for_update().get(pk=hub.pk)
    if hub.deleted_at is not None:
        raise ValidationError(_("This webhook was removed."), code="hub_removed")
    secret, now = new_secret(), timezone.now()
    hub.previous_secret_encrypted, hub.secret_encrypted = hub.secret_encrypted, crypto.encrypt(secret)
    hub.previous_secret_expires_at, hub.secret_rotated_at = now + SECRET_GRACE, now
    hub.save(
        update_fields=[
            "previous_secret_encrypted",
            "secret_encrypted",
            "previous_secret_expires_at",
            "secret_rotated_at",
        ]
    )
    record(
        "api_hub.secret_rotated",
        by=by,
        company=hub.company,
        target=hub,
        details={"callback": hub.callback, "old_secret_valid_until": hub.previous_secret_expires_at.isoformat()},
    )
    return hub, secret


def is_stuck(delivery: WebhookDelivery) -> bool:
    """A delivery still waiting long after its try was due: its task is lost (e.g. failed after its worker
    died at every run). Redeliver may queue it again; were the task only late, the row lock decides."""
    due = delivery.next_attempt_at or delivery.created_at
    grace = datetime.timedelta(seconds=int(getattr(settings, "TASK_LEASE_SECONDS", 300))) + STUCK_AFTER
    return delivery.status == WebhookDelivery.Status.PENDING and due < timezone.now() - grace


@transaction.atomic
def redeliver(delivery: WebhookDelivery, *, by: Actor) -> WebhookDelivery:
    """Queues a delivered or given-up event once more (a fresh round of tries); refused while one waits."""
    from api.tasks import deliver_webhook

    delivery = (
        WebhookDelivery.objects.for_company(delivery.company)
        .select_for_update()
        .select_related("hub", "event")
        .get(pk=delivery.pk)
    )
    if delivery.status == WebhookDelivery.Status.PENDING and not is_stuck(delivery):
        raise ValidationError(_("This event is already waiting to be delivered."), code="already_queued")
    if delivery.hub.deleted_at is not None:
        raise ValidationError(_("This webhook was removed; its events cannot be sent again."), code="hub_removed")
    delivery.status, delivery.tries, delivery.next_attempt_at = WebhookDelivery.Status.PENDING, 0, None
    delivery.save(update_fields=["status", "tries", "next_attempt_at"])
    record(
        "api_hub.redelivered",
        by=by,
        company=delivery.company,
        target=delivery.hub,
        details={"event_id": str(delivery.event.event_id), "event_type": delivery.event.event_type},
    )
    enqueue(deliver_webhook, delivery.pk)
    return delivery
