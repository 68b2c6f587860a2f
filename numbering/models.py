"""The Numbers area: the company's landline numbers, port-in requests and the main number's call flow.

Mobile numbers are not stored here: they belong to subscriptions and the overview reads them there.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.scoping import CompanyOwned


class PhoneNumber(CompanyOwned):
    """A landline number (or the main number) that belongs to the company."""

    class Kind(models.TextChoices):
        MAIN = "main", _("Main number")
        LANDLINE = "landline", _("Landline number")
        SERIES = "series", _("Number series")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PORTING_IN = "porting_in", _("Porting in")
        RESERVED = "reserved", _("Reserved")
        PORTING_OUT = "porting_out", _("Porting out")

    # E.164, e.g. +4533123456. For a series, the first number; ``series_end`` is the last.
    number = models.CharField(_("number"), max_length=16, unique=True)
    series_end = models.CharField(_("last number of the series"), max_length=16, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.LANDLINE)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    label = models.CharField(_("label"), max_length=120, blank=True)
    # Where calls go when the number is not the main number (the main number follows the call flow).
    routing = models.CharField(_("calls go to"), max_length=200, blank=True)
    port_request = models.ForeignKey(
        "numbering.PortRequest",
        verbose_name=_("port request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="phone_numbers",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["kind", "number"]
        indexes = [models.Index(fields=["company", "kind", "number"])]

    def __str__(self) -> str:
        return self.number


class PortRequest(CompanyOwned):
    """A request to port numbers from another operator to us (Kazoo's port request).

    Landline requests are made under Numbers → Port numbers to us. Mobile requests are made by the
    subscription guide (keep an existing mobile number); they name the subscription, which stays
    pending until the port is completed. Landline and mobile numbers cannot be ported into each other.
    """

    class Kind(models.TextChoices):
        LANDLINE = "landline", _("Landline")
        MOBILE = "mobile", _("Mobile")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        PENDING = "pending", _("Pending at the current operator")
        SCHEDULED = "scheduled", _("Scheduled")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class Authorisation(models.TextChoices):
        UPLOAD = "upload", _("Uploaded signed PDF")
        SIGNED = "signed", _("Signed in the portal")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LANDLINE)
    # The subscription that waits for this port (made by the subscription guide); it is activated on completion.
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        verbose_name=_("subscription"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="port_requests",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    current_operator = models.CharField(_("current operator"), max_length=40)
    # Required by the landline form; a mobile port needs only the number, the operator and the consent.
    customer_number = models.CharField(_("customer number at the current operator"), max_length=60, blank=True)
    holder_name = models.CharField(_("holder name"), max_length=200)
    holder_street = models.CharField(_("street and number"), max_length=200, blank=True)
    holder_postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    holder_city = models.CharField(_("city"), max_length=100, blank=True)
    cvr = models.CharField(_("CVR number"), max_length=8)
    desired_date = models.DateField(_("desired porting date"))
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    notification_emails = models.TextField(
        _("notification e-mail addresses"),
        blank=True,
        help_text=_("Every change is e-mailed to these addresses. One or more, separated by commas."),
    )
    notification_language = models.CharField(
        _("language of the e-mails"), max_length=8, choices=settings.LANGUAGES, default="da"
    )
    status_reason = models.CharField(_("reason for the latest change"), max_length=500, blank=True)

    authorisation_method = models.CharField(
        _("porting authorisation"), max_length=8, choices=Authorisation.choices, blank=True
    )
    authorisation_file = models.FileField(
        _("signed authorisation (PDF)"), upload_to="numbering/authorisations/%Y/", blank=True, max_length=200
    )
    authorisation_filename = models.CharField(_("file name"), max_length=200, blank=True)
    signed_name = models.CharField(_("signed by (typed name)"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_ip = models.GenericIPAddressField(_("signed from IP address"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("port request")
        verbose_name_plural = _("port requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"PORT-{self.pk or 0:05d}"

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.COMPLETED, self.Status.CANCELLED)

    @property
    def holder_address(self) -> str:
        city = f"{self.holder_postcode} {self.holder_city}".strip()
        return ", ".join(part for part in (self.holder_street, city) if part)

    @property
    def is_mobile(self) -> bool:
        return self.kind == self.Kind.MOBILE

    @property
    def notification_list(self) -> list[str]:
        return [a.strip() for a in self.notification_emails.replace(";", ",").split(",") if a.strip()]

    @property
    def has_authorisation(self) -> bool:
        if self.authorisation_method == self.Authorisation.UPLOAD:
            return bool(self.authorisation_file)
        if self.authorisation_method == self.Authorisation.SIGNED:
            return bool(self.signed_name and self.signed_at)
        return False


class PortNumber(models.Model):
    """One number of a port request, with its own status so partial ports are visible."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SCHEDULED = "scheduled", _("Scheduled")
        PORTED = "ported", _("Ported")
        NOT_PORTED = "not_ported", _("Not ported")
        CANCELLED = "cancelled", _("Cancelled")

    port_request = models.ForeignKey(PortRequest, on_delete=models.CASCADE, related_name="numbers")
    number = models.CharField(_("number"), max_length=16)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("number to port")
        verbose_name_plural = _("numbers to port")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["port_request", "number"], name="port_number_once")]

    def __str__(self) -> str:
        return self.number


class PortEvent(models.Model):
    """The timeline: one row per change of a port request (Kazoo's transitions)."""

    port_request = models.ForeignKey(PortRequest, on_delete=models.CASCADE, related_name="events")
    new_status = models.CharField(_("new status"), max_length=16, choices=PortRequest.Status.choices)
    previous_status = models.CharField(
        _("previous status"), max_length=16, choices=PortRequest.Status.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("port request change")
        verbose_name_plural = _("port request changes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.previous_status} → {self.new_status}"


class PortComment(models.Model):
    port_request = models.ForeignKey(PortRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(_("author"), max_length=255, blank=True)
    from_staff = models.BooleanField(_("from the operator"), default=False)
    # Staff-internal notes are never shown to the customer.
    is_internal = models.BooleanField(_("internal note"), default=False)
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:50]


class CallFlowVersion(CompanyOwned):
    """One saved version of the main number's call flow. The newest version is the active one.

    Each version is handed to the network as a ``callflow/v1`` export (``numbering.export``); its provisioning
    status says whether the platform has taken it (pending → active, or failed with a reason).
    """

    class Provisioning(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active on the network")
        FAILED = "failed", _("Failed")
        SUPERSEDED = "superseded", _("Replaced by a newer version")

    version = models.PositiveIntegerField(_("version"))
    document = models.JSONField(_("flow document"))
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)
    provisioning_status = models.CharField(
        _("provisioning"), max_length=12, choices=Provisioning.choices, default=Provisioning.PENDING
    )
    provisioning_reason = models.CharField(_("provisioning message"), max_length=500, blank=True)
    provisioned_at = models.DateTimeField(_("provisioned"), null=True, blank=True)

    class Meta:
        verbose_name = _("call flow version")
        verbose_name_plural = _("call flow versions")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["company", "version"], name="one_flow_version_number")]

    def __str__(self) -> str:
        return f"v{self.version}"


class ScheduledFlowChange(CompanyOwned):
    """A flow to take effect at a date and time (a Christmas flow, and the normal one back after): at
    ``take_effect_at`` it is saved as a new version, which makes it the active one. Applied once, however often
    the task or the cron command runs (the row is locked and its status checked)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Scheduled")
        APPLIED = "applied", _("Took effect")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    document = models.JSONField(_("flow document"))
    source_version = models.ForeignKey(
        CallFlowVersion,
        verbose_name=_("from version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    take_effect_at = models.DateTimeField(_("takes effect"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    result_version = models.ForeignKey(
        CallFlowVersion,
        verbose_name=_("became version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("scheduled"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled call flow change")
        verbose_name_plural = _("scheduled call flow changes")
        ordering = ["take_effect_at", "id"]
        indexes = [models.Index(fields=["status", "take_effect_at"])]

    def __str__(self) -> str:
        return f"{self.take_effect_at:%Y-%m-%d %H:%M} ({self.status})"


def authorisation_upload_name(original: str) -> str:
    """A random stored name: the customer's file name is kept only as a label."""
    suffix = PurePath(original).suffix.lower() or ".pdf"
    return f"{uuid.uuid4().hex}{suffix if suffix == '.pdf' else '.pdf'}"
