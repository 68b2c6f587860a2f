"""One row per e-mail: written in the transaction that causes it, sent later by `send_outbox`."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        # Claimed by a sender that is talking to the mail server right now. A row left here by a
        # sender that died may or may not have been accepted: it is never resent automatically.
        HANDED_OVER = "handed_over", _("Handed over (unconfirmed)")
        SENT = "sent", _("Sent")
        FAILED = "failed", pgettext_lazy("e-mail status", "Failed")

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    from_email = models.CharField(_("from"), max_length=320)
    to = models.JSONField(_("to"), default=list)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    bcc = models.JSONField(_("bcc"), default=list, blank=True)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=998)
    body = models.TextField(_("body"), blank=True)
    # [[content, mimetype], ...] (e.g. the HTML part) and [{"filename", "mimetype", "content_b64"}, ...].
    alternatives = models.JSONField(default=list, blank=True)
    attachments = models.JSONField(default=list, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    permanent = models.BooleanField(_("permanent failure"), default=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"))
    # Start of the retry window (creation, or the last resend).
    queued_at = models.DateTimeField(_("queued"))
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    # What the message is about (e.g. "einvoice" and the delivery row), for pages that show its fate.
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    about_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    about_id = models.CharField(max_length=64, blank=True)
    about = GenericForeignKey("about_type", "about_id")

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["about_type", "about_id"], name="outbox_about"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"

    @property
    def is_unconfirmed(self) -> bool:
        """Handed over long enough ago that its sender must have died (a live one is still talking to SMTP)."""
        from outbox.sender import unconfirmed_before

        return (
            self.status == self.Status.HANDED_OVER
            and self.handed_over_at is not None
            and self.handed_over_at < unconfirmed_before()
        )

    @property
    def needs_decision(self) -> bool:
        return self.status == self.Status.FAILED or self.is_unconfirmed

    @property
    def recipients(self) -> list[str]:
        return [*self.to, *self.cc, *self.bcc]


class OutboxAttempt(models.Model):
    """One try to hand a message to the mail server, with what came of it."""

    class Result(models.TextChoices):
        SENT = "sent", _("Sent")
        RETRY = "retry", _("Temporary failure, retried")
        PERMANENT = "permanent", _("Permanent failure")
        EXPIRED = "expired", _("Gave up")

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="tries")
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.message_id}: {self.result}"
