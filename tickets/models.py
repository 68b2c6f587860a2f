"""Support tickets (after TMF621 Trouble Ticket).

A ticket belongs to one company. Its conversation holds customer and staff
messages; staff may also write internal notes that customers never see.

The related entity is deliberately generic: a nullable foreign key to a
subscription (the only related model that exists today) plus a free
``related_reference`` text for a phone number, an invoice number or anything
else. When the Numbers and Invoice areas get their models, they can add their
own nullable foreign keys next to ``related_subscription`` without touching
existing tickets.
"""

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.scoping import CompanyOwned


class Category(models.TextChoices):
    SUBSCRIPTIONS = "subscriptions", _("Subscriptions")
    NUMBERS = "numbers", _("Numbers")
    INVOICE = "invoice", _("Invoice")
    TECHNICAL_FAULT = "technical_fault", _("Technical fault")
    ACCESS = "access", _("Access")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING = "pending", _("Waiting for you")
    HELD = "held", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.PENDING, Status.HELD)
CLOSED_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.CANCELLED)
FINAL_STATUSES = (Status.CLOSED, Status.REJECTED, Status.CANCELLED)

# The transitions staff may make (TMF621-like). Customers only close and reopen.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REJECTED, Status.CANCELLED, Status.HELD),
    Status.ACKNOWLEDGED: (Status.IN_PROGRESS, Status.REJECTED, Status.CANCELLED, Status.HELD),
    Status.IN_PROGRESS: (Status.PENDING, Status.RESOLVED, Status.HELD, Status.CANCELLED),
    Status.PENDING: (Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED),
    Status.HELD: (Status.IN_PROGRESS, Status.CANCELLED),
    Status.RESOLVED: (Status.CLOSED, Status.IN_PROGRESS),
    Status.CLOSED: (),
    Status.REJECTED: (),
    Status.CANCELLED: (),
}
# A reason is required when staff stop a ticket without solving it.
REASON_REQUIRED = (Status.REJECTED, Status.CANCELLED, Status.HELD)


class TicketNumberSequence(models.Model):
    """One counter per year for human ticket numbers (T-2026-000123)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"

    @classmethod
    def next_number(cls, year: int) -> str:
        # UPDATE … SET last_value = last_value + 1 is atomic on SQLite and PostgreSQL.
        cls.objects.get_or_create(year=year)
        cls.objects.filter(year=year).update(last_value=F("last_value") + 1)
        value = cls.objects.values_list("last_value", flat=True).get(year=year)
        return f"T-{year}-{value:06d}"


class Ticket(CompanyOwned):
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=150)
    description = models.TextField(_("description"), max_length=10000)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    status_reason = models.CharField(_("status reason"), max_length=500, blank=True)
    related_subscription = models.ForeignKey(
        "subscriptions.Subscription",
        verbose_name=_("related subscription"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    related_invoice = models.ForeignKey(
        "invoicing.Invoice",
        verbose_name=_("related invoice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    related_port_request = models.ForeignKey(
        "numbering.PortRequest",
        verbose_name=_("related port request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    # A number, an invoice number or anything else the ticket is about.
    related_reference = models.CharField(_("related number or invoice"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=10, default="portal")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last update"), default=timezone.now)
    last_staff_reply_at = models.DateTimeField(_("last reply from us"), null=True, blank=True)
    # From the form, so a double submit finds the ticket it already created.
    submission_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("support ticket")
        verbose_name_plural = _("support tickets")
        ordering = ["-last_activity_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-last_activity_at", "-id"], name="ticket_company_activity"),
            models.Index(fields=["company", "status"], name="ticket_company_status"),
            models.Index(fields=["status", "-last_activity_at"], name="ticket_status_activity"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "submission_token"],
                name="ticket_one_per_submission",
                condition=models.Q(submission_token__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def customer_may_reply(self) -> bool:
        return self.status not in FINAL_STATUSES

    @property
    def customer_may_close(self) -> bool:
        return self.status not in FINAL_STATUSES

    @property
    def customer_may_reopen(self) -> bool:
        return self.status == Status.RESOLVED

    def allowed_transitions(self) -> list[tuple[str, Any]]:
        return [(s, Status(s).label) for s in TRANSITIONS[self.status]]


class TicketMessage(CompanyOwned):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(_("author"), max_length=200)
    from_staff = models.BooleanField(_("from operator staff"), default=False)
    # Internal notes are for staff only; customers never see them.
    is_internal = models.BooleanField(_("internal note"), default=False)
    body = models.TextField(_("message"), max_length=10000)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticketmessage_ticket_created")]

    def __str__(self) -> str:
        return f"{self.ticket.number}: {self.body[:40]}"


def attachment_path(instance: "TicketAttachment", filename: str) -> str:
    # Never the uploader's name on disk: a random name with the detected extension.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"tickets/{instance.company_id}/{uuid.uuid4().hex}{suffix}"


class TicketAttachment(CompanyOwned):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        TicketMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    is_internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class TicketStatusChange(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket.number}: {self.from_status} → {self.to_status}"


class TicketRead(models.Model):
    """When a user last opened a ticket: staff replies after that are unread."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "ticket"], name="ticketread_one_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.ticket_id} at {self.read_at:%Y-%m-%d %H:%M}"
