"""API clients (machine users of one company) and the stored results of retried writes."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Membership
from registry.scoping import CompanyOwned


class APIClient(CompanyOwned):
    """A machine user of one company: area grants and an access level exactly like a person's membership.

    Its secret is shown once and stored as a SHA-256 hash; the key's prefix finds the row.
    Actions run as ``user``, a machine user that cannot sign in to the portal (inactive, no password),
    so every write and audit event names the client.
    """

    name = models.CharField(_("name"), max_length=100)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("machine user"), on_delete=models.PROTECT, related_name="api_client"
    )
    access = models.CharField(
        _("access"), max_length=16, choices=Membership.Access.choices, default=Membership.Access.READ_ONLY
    )
    areas = models.JSONField(_("areas"), default=list, blank=True)
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("secret rotated"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix})"

    @property
    def is_read_only(self) -> bool:
        return self.access == Membership.Access.READ_ONLY

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def has_area(self, key: str) -> bool:
        return key in self.areas

    def can_change_area(self, key: str) -> bool:
        return self.has_area(key) and not self.is_read_only

    def granted_areas(self) -> list[object]:
        from registry.areas import registry

        return [area for area in registry.all() if area.key in self.areas]


class IdempotentResponse(models.Model):
    """The first response to a POST with an ``Idempotency-Key``, written in the write's transaction."""

    client = models.ForeignKey(APIClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="api_one_response_per_key")]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.key}"


class ProductOrder(CompanyOwned):
    """A TMF622 product order from an API client: a new subscription, cancel one, or change its type.

    Carried out at once through the subscriptions actions (the portal's rules); the order keeps what
    was asked and done, so a client can read it back. A new subscription's order follows the
    subscription (and its port request) to completion: its state is read from them.
    """

    class Action(models.TextChoices):
        ADD = "add", _("New subscription")
        DELETE = "delete", _("Cancellation")
        MODIFY = "modify", _("Type change")

    client = models.ForeignKey(APIClient, verbose_name=_("API client"), on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    subscription = models.ForeignKey(
        "subscriptions.Subscription", verbose_name=_("subscription"), on_delete=models.PROTECT, related_name="+"
    )
    target_code = models.CharField(_("new subscription type"), max_length=40, blank=True)
    requested_date = models.DateField(_("requested date"), null=True, blank=True)
    effective_date = models.DateField(_("effective date"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    # A new subscription's prices as the guide's summary showed them: one-off fees and the monthly price (øre).
    prices = models.JSONField(_("prices"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("product order")
        verbose_name_plural = _("product orders")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "-created_at", "-id"], name="api_order_company_created")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.subscription_id}"


class WebhookHub(CompanyOwned):
    """A TMF ``/hub`` listener: an API client's callback URL and the event types it asked for.

    The signing secret is shown once (in the registration's answer) and kept encrypted with the
    PIN/PUK keys (``subscriptions.crypto``), because signing needs it in clear. Unregistering keeps
    the row (``deleted_at``) so its delivery history stays readable.
    """

    class Api(models.TextChoices):
        PRODUCT_INVENTORY = "productInventory", "TMF637 Product Inventory"
        TROUBLE_TICKET = "troubleTicket", "TMF621 Trouble Ticket"
        CUSTOMER_BILL = "customerBillManagement", "TMF678 Customer Bill"
        PRODUCT_ORDERING = "productOrdering", "TMF622 Product Ordering"
        NUMBERING = "numbering", "Numbers"
        HARDWARE_ORDERING = "hardwareOrdering", "TMF622 Product Ordering: hardware and SIM cards"

    client = models.ForeignKey(APIClient, verbose_name=_("API client"), on_delete=models.CASCADE, related_name="hubs")
    api = models.CharField(_("API"), max_length=40, choices=Api.choices)
    callback = models.URLField(_("callback"), max_length=500)
    query = models.CharField(_("query"), max_length=500, blank=True)
    event_types = models.JSONField(_("event types"), default=list)
    secret_encrypted = models.TextField(editable=False)
    # After a rotation the old secret still signs (beside the new one) until it expires: a grace period.
    previous_secret_encrypted = models.TextField(editable=False, blank=True)
    previous_secret_expires_at = models.DateTimeField(_("old secret valid until"), null=True, blank=True)
    secret_rotated_at = models.DateTimeField(_("secret rotated"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("unregistered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["company", "api"], name="api_hub_company_api")]

    def __str__(self) -> str:
        return self.callback


class WebhookEvent(CompanyOwned):
    """One TMF event as it was when the change happened (written in the change's transaction)."""

    event_id = models.UUIDField(_("event id"), unique=True, default=uuid.uuid4, editable=False)
    event_type = models.CharField(_("event type"), max_length=80)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class WebhookDelivery(CompanyOwned):
    """One event to one hub: retried with backoff until the callback answers 2xx, or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    hub = models.ForeignKey(WebhookHub, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    # Tries in this round (a redelivery starts a new round); the attempts' rows keep them all.
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["hub", "event"], name="api_one_delivery_per_hub_event")]
        indexes = [models.Index(fields=["hub", "-created_at", "-id"], name="api_delivery_hub_created")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.hub_id}"

    @property
    def is_stuck(self) -> bool:
        from api.webhooks import is_stuck

        return is_stuck(self)


class WebhookAttempt(models.Model):
    """One POST to a callback: when, the answer's status code or the error. Reached through its delivery."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
