"""Invoices, their lines, usage records, one-off charges and eInvoice by e-mail.

Money is integer øre. One rounding rule (see ``invoicing.money``): half up, applied
once per pro-rata line and once to the VAT of the whole invoice.
"""

from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registry.scoping import CompanyOwned


class ImmutableInvoiceError(Exception):
    """An issued invoice cannot change; corrections are credit notes."""


class InvoiceCounter(models.Model):
    """The gapless invoice number sequence: one row, locked with select_for_update.

    The counter is advanced in the same transaction that creates the invoice, so a
    rolled-back invoice also rolls back its number: no gaps, no duplicates.
    """

    name = models.CharField(max_length=20, unique=True, default="invoice")
    last_number = models.PositiveBigIntegerField(default=100000)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_number}"

    @classmethod
    def lock(cls) -> "InvoiceCounter":
        """The counter row, locked until the transaction ends (serialises invoice creation)."""
        counter = cls.objects.select_for_update().filter(name="invoice").first()
        if counter is None:  # made by a migration; recreated if a test flushed it
            try:
                with transaction.atomic():
                    cls.objects.create(name="invoice")
            except IntegrityError:
                pass
            counter = cls.objects.select_for_update().get(name="invoice")
        return counter

    def take(self) -> int:
        """The next number; call inside the transaction that creates the invoice."""
        self.last_number += 1
        self.save(update_fields=["last_number"])
        return self.last_number

    @classmethod
    def next_number(cls) -> int:
        return cls.lock().take()


class Invoice(CompanyOwned):
    class Category(models.TextChoices):
        NORMAL = "normal", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ISSUED = "issued", _("Issued")
        PAID = "paid", _("Paid")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        OVERDUE = "overdue", _("Overdue")

    # Fields that may still change after issue (payment state, the stored PDF).
    MUTABLE_AFTER_ISSUE = frozenset({"status", "pdf", "paid_amount"})

    number = models.PositiveBigIntegerField(_("invoice number"), unique=True)
    period = models.CharField(_("billing period"), max_length=7, help_text="YYYY-MM")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, default=Category.NORMAL)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    net = models.BigIntegerField(_("net (øre)"), default=0)
    vat = models.BigIntegerField(_("VAT (øre)"), default=0)
    total = models.BigIntegerField(_("total (øre)"), default=0)
    paid_amount = models.BigIntegerField(_("paid (øre)"), default=0)
    # Net per kind, for the overview chart and the PDF summary.
    subscriptions_net = models.BigIntegerField(_("subscriptions and add-ons (øre)"), default=0)
    usage_net = models.BigIntegerField(_("usage (øre)"), default=0)
    one_off_net = models.BigIntegerField(_("one-off fees (øre)"), default=0)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="da")
    pdf = models.FileField(_("PDF"), upload_to="invoices/%Y/%m/", blank=True)
    credited_invoice = models.ForeignKey(
        "self",
        verbose_name=_("credits invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # The customer's e-invoice references (EInvoiceSettings) as they were at issue: the Peppol and OIOUBL
    # documents are made from these, so a later change on the eInvoice page leaves issued documents alone.
    order_reference = models.CharField(_("order number"), max_length=35, blank=True, default="")
    contact_reference = models.CharField(_("contact person or reference"), max_length=40, blank=True, default="")
    accounting_cost = models.CharField(_("cost centre or account"), max_length=40, blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-period", "-number"]
        constraints = [
            # One normal invoice per company and period: what makes the billing run idempotent.
            models.UniqueConstraint(
                fields=["company", "period"],
                condition=models.Q(category="normal"),
                name="one_invoice_per_company_period",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-period", "-number"], name="invoice_company_period"),
            models.Index(fields=["status", "due_date"], name="invoice_status_due"),  # the daily overdue run
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # __dict__, not the attribute: a deferred status must not cost a query per instance.
        self._status_at_load = self.__dict__.get("status") if self.pk else self.Status.NEW

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.number}"

    @property
    def is_issued(self) -> bool:
        if self._status_at_load is None:  # loaded without its status
            self._status_at_load = (
                Invoice.objects.filter(pk=self.pk, company_id=self.company_id).values_list("status", flat=True).first()
            )
        return self._status_at_load not in (None, self.Status.NEW)

    @property
    def is_credit_note(self) -> bool:
        return self.category == self.Category.CREDIT_NOTE

    @property
    def file_name(self) -> str:
        """Download and attachment name without extension: credit notes are not named as invoices."""
        return f"{'credit-note' if self.is_credit_note else 'invoice'}-{self.number}"

    @property
    def outstanding(self) -> int:
        """What is still to be paid, in øre (nothing on a credit note)."""
        if self.is_credit_note or getattr(self, "credited", False):  # ``credited``: see selectors.with_credited
            return 0
        return max(self.total - self.paid_amount, 0)

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OVERDUE

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and self.is_issued:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.MUTABLE_AFTER_ISSUE:
                raise ImmutableInvoiceError(f"Invoice {self.number} is issued and cannot change.")
        super().save(*args, **kwargs)
        self._status_at_load = self.status

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_issued:
            raise ImmutableInvoiceError(f"Invoice {self.number} is issued and cannot be deleted.")
        return super().delete(*args, **kwargs)


class InvoiceSection(models.Model):
    """One user (subscription) on an invoice: the lines are grouped under it."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="sections")
    # No database constraint: the billing run writes 100,000 sections in one go, and checking
    # each one locks a subscription row (FOR KEY SHARE). The section copies what it shows, and
    # Django still applies SET_NULL when a subscription is deleted.
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    # Copied at billing so an invoice never changes when the subscription does.
    user_name = models.CharField(_("user"), max_length=200)
    phone_number = models.CharField(_("phone number"), max_length=16, blank=True)
    product_name = models.CharField(_("subscription type"), max_length=120, blank=True)
    cost_centre = models.CharField(_("cost centre"), max_length=40, blank=True)
    total = models.BigIntegerField(_("total (øre)"), default=0)

    class Meta:
        ordering = ["user_name", "id"]
        indexes = [models.Index(fields=["invoice", "user_name"], name="section_invoice_user")]

    def __str__(self) -> str:
        return self.user_name


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", _("Subscription fee")
        ADD_ON = "add_on", _("Add-on")
        USAGE = "usage", pgettext_lazy("telephone usage", "Usage")
        ONE_OFF = "one_off", _("One-off fee")
        # Usage of an earlier month that arrived after that month was invoiced.
        LATE_USAGE = "late_usage", _("Late usage")

    # Denormalised for queries per invoice; the database checks the line's section, whose invoice is checked.
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines", db_constraint=False)
    section = models.ForeignKey(InvoiceSection, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    usage_type = models.CharField(_("usage type"), max_length=16, blank=True)
    # As issued, in the invoice's language: the PDF and the e-invoice XML print this.
    description = models.CharField(_("description"), max_length=200)
    # The same text in each language, for pages and CSV files read in the other language (empty for text
    # typed by staff, such as a charge's own description, and for lines billed before these were kept).
    description_en = models.CharField(_("description in English"), max_length=200, blank=True, default="")
    description_da = models.CharField(_("description in Danish"), max_length=200, blank=True, default="")
    # Days for fees, minutes/SMS/MB for usage, count for one-off fees.
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2, default=1)
    amount = models.BigIntegerField(_("amount (øre)"))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description

    def description_in(self, language: str) -> str:
        """The line's text in ``language`` when it was kept in both, else as issued."""
        text = self.description_da if language.startswith("da") else self.description_en
        return text or self.description


class UsageRecord(CompanyOwned):
    class Type(models.TextChoices):
        VOICE = "voice", _("Voice (minutes)")
        SMS = "sms", _("SMS")
        DATA = "data", _("Data (MB)")
        ROAMING = "roaming", _("Roaming")
        PREMIUM = "premium", _("Premium services")

    class Zone(models.TextChoices):
        # Where a roaming record was made: the EU/EEA (roam like at home) or the rest of the world.
        NONE = "", _("Not roaming")
        EU = "eu", _("EU/EEA")
        WORLD = "world", _("Rest of the world")

    # The network's id of the record: unique, so overlapping files cannot bill a call twice.
    # Empty (NULL) only for records made outside the usage import (demo data).
    record_id = models.CharField(_("network record id"), max_length=64, null=True, blank=True, unique=True)
    subscription = models.ForeignKey("subscriptions.Subscription", on_delete=models.CASCADE, related_name="+")
    time = models.DateTimeField(_("time"))
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    charge = models.BigIntegerField(_("charge (øre, excl. VAT)"))
    # Roaming records only ("" otherwise); a file without the zone column counts roaming as rest of the world.
    zone = models.CharField(_("roaming zone"), max_length=8, choices=Zone.choices, blank=True, default="")
    batch = models.ForeignKey("UsageImport", null=True, blank=True, on_delete=models.CASCADE, related_name="records")
    # Imported after its month was invoiced: the next invoice carries it as late usage and sets late_invoice.
    late = models.BooleanField(_("late"), default=False)
    late_invoice = models.ForeignKey(
        "Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )

    class Meta:
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        indexes = [
            models.Index(fields=["company", "time"], name="usage_company_time"),
            models.Index(
                fields=["company", "time"],
                condition=models.Q(late=True, late_invoice__isnull=True),
                name="usage_late_unbilled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.type} {self.quantity}"


class FileImport(models.Model):
    """One file imported all or nothing; a staff upload runs in the background and shows its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    filename = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the content"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    upload = models.FileField(_("uploaded file"), upload_to="imports/%Y/%m/", blank=True)
    imported_by = models.CharField(_("imported by"), max_length=254, blank=True)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class UsageImport(FileImport):
    class Meta(FileImport.Meta):
        verbose_name = _("usage import")
        verbose_name_plural = _("usage imports")
        # The same content (under any name) is imported once.
        constraints = [
            models.UniqueConstraint(
                fields=["sha256"],
                condition=models.Q(status="done") & ~models.Q(sha256=""),
                name="usage_import_once_per_content",
            )
        ]


class Charge(CompanyOwned):
    """A generic billable line: a one-off amount charged to the company (a SIM card, hardware, a fee),
    billed on the next invoice; ``subscription`` when it belongs to one (optional).

    ``invoicing.actions.add_charge`` creates these (for other areas: publish ``subscriptions.events.ChargeDue``);
    the billing run puts every uninvoiced charge dated in or before the period on the
    invoice and sets ``invoice``.
    """

    subscription = models.ForeignKey(
        "subscriptions.Subscription", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    fee = models.ForeignKey("subscriptions.OneOffFee", null=True, blank=True, on_delete=models.PROTECT)
    description = models.CharField(_("description"), max_length=200)
    amount = models.BigIntegerField(_("amount (øre, excl. VAT)"))
    date = models.DateField(_("date"))
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="charges")
    # What the charge is for in the area that asked for it ("products.line:12"): the key that
    # ``ChargesWithdrawn`` finds a plan's instalments by. Empty for a plain charge.
    source = models.CharField(_("source"), max_length=80, blank=True, default="")

    class Meta:
        verbose_name = _("one-off charge")
        verbose_name_plural = _("one-off charges")
        indexes = [
            models.Index(fields=["company", "invoice", "date"], name="charge_company_open"),
            models.Index(fields=["company", "source"], name="charge_company_source", condition=~models.Q(source="")),
        ]

    def __str__(self) -> str:
        return self.description


class ChargeWithdrawal(CompanyOwned):
    """A share of a source's charges taken back (``ChargesWithdrawn``), kept once per ``key``.

    The open (not yet invoiced) charges were reduced or deleted; what was already invoiced for the
    share came back as one credit charge. The unique key makes the same withdrawal, published twice,
    change nothing the second time."""

    key = models.CharField(_("key"), max_length=80, unique=True)
    source = models.CharField(_("source"), max_length=80)
    credited = models.PositiveIntegerField(_("invoiced charges credited"), default=0)
    cancelled = models.PositiveIntegerField(_("open charges cancelled"), default=0)
    reduced = models.PositiveIntegerField(_("open charges reduced"), default=0)
    credit = models.BigIntegerField(_("credit (øre, excl. VAT)"), default=0)
    withdrawn = models.BigIntegerField(_("taken off open charges (øre, excl. VAT)"), default=0)
    credit_charge = models.ForeignKey(Charge, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("charge withdrawal")
        verbose_name_plural = _("charge withdrawals")

    def __str__(self) -> str:
        return self.key


class EInvoiceRecipient(CompanyOwned):
    """An e-mail address that receives the company's invoices once it is confirmed."""

    email = models.EmailField(_("e-mail address"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("eInvoice recipient")
        verbose_name_plural = _("eInvoice recipients")
        ordering = ["email"]
        constraints = [models.UniqueConstraint(fields=["company", "email"], name="one_recipient_per_address")]

    def __str__(self) -> str:
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class EInvoiceDelivery(CompanyOwned):
    """One delivery of one invoice: an e-mail to one address, or the XML to the company's access point.

    The unique row prevents sending twice; an access-point delivery has no address (one per invoice).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail (PDF)")
        PEPPOL = "peppol", _("Peppol BIS 3")
        OIOUBL = "oioubl", _("OIOUBL 2.1 (NemHandel)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        ACKNOWLEDGED = "acknowledged", _("Received by the receiver")
        REJECTED = "rejected", _("Rejected by the receiver")
        FAILED = "failed", _("Failed")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    email = models.EmailField(_("e-mail address"), blank=True)
    status = models.CharField(_("result"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    # The access point's id of the message, and the receiver's reason when it rejects the document.
    message_id = models.CharField(_("message id"), max_length=100, blank=True)
    receiver_reason = models.CharField(_("receiver's reason"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The outbox row that carries it; status, attempts and last_error follow that message.
    outbox_message = models.OneToOneField(
        "outbox.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="einvoice_delivery"
    )

    class Meta:
        verbose_name = _("eInvoice delivery")
        verbose_name_plural = _("eInvoice deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["invoice", "email"], name="one_delivery_per_address")]

    def __str__(self) -> str:
        return f"{self.invoice_id} → {self.email or self.channel}"

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.ACKNOWLEDGED, self.Status.REJECTED, self.Status.FAILED) or (
            self.status == self.Status.SENT and self.channel == self.Channel.EMAIL
        )


class PaymentImport(FileImport):
    """One bank file of payments, imported all or nothing by staff."""

    total = models.BigIntegerField(_("total (øre)"), default=0)

    class Meta(FileImport.Meta):
        verbose_name = _("payment import")
        verbose_name_plural = _("payment imports")
        constraints = [
            models.UniqueConstraint(
                fields=["sha256"],
                condition=models.Q(status="done") & ~models.Q(sha256=""),
                name="payment_import_once_per_content",
            )
        ]


class Payment(CompanyOwned):
    """Money received for an invoice. Payments are never edited; the invoice keeps the sum in ``paid_amount``."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        BETALINGSSERVICE = "betalingsservice", _("Betalingsservice")
        CARD = "card", _("Card")
        OTHER = "other", _("Other")

    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="payments")
    amount = models.BigIntegerField(_("amount (øre)"))
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.BANK_TRANSFER)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    batch = models.ForeignKey(PaymentImport, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_label = models.CharField(_("registered by"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")]
        indexes = [models.Index(fields=["invoice", "paid_on"], name="payment_invoice_date")]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.amount}"


class EInvoiceSettings(CompanyOwned):
    """The customer's own references on its e-invoices, and how the documents reach it.

    The references are copied onto each invoice when it is issued (``Invoice.order_reference`` …)
    and its Peppol and OIOUBL XML is made from that copy, so a change applies to the invoices
    issued after it; earlier invoices keep theirs.
    """

    REFERENCE_FIELDS = ("order_reference", "contact_reference", "accounting_cost")

    class Channel(models.TextChoices):
        NONE = "none", _("Download only")
        PEPPOL = "peppol", _("Peppol BIS 3 through our access point")
        OIOUBL = "oioubl", _("OIOUBL 2.1 through NemHandel (our access point)")

    order_reference = models.CharField(
        _("order number"),
        max_length=35,
        blank=True,
        help_text=_("Your purchase order or contract number; shown as the order reference."),
    )
    contact_reference = models.CharField(
        _("contact person or reference"),
        max_length=40,
        blank=True,
        help_text=_(
            "Who at your company receives the invoice (the buyer reference; the public sector calls it "
            "the person reference)."
        ),
    )
    accounting_cost = models.CharField(
        _("cost centre or account"),
        max_length=40,
        blank=True,
        help_text=_("Your cost centre or account for the invoice, for your bookkeeping."),
    )
    channel = models.CharField(_("electronic delivery"), max_length=8, choices=Channel.choices, default=Channel.NONE)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("e-invoice settings")
        verbose_name_plural = _("e-invoice settings")
        constraints = [models.UniqueConstraint(fields=["company"], name="one_einvoice_settings_per_company")]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.channel}"

    @classmethod
    def of(cls, company: Any) -> "EInvoiceSettings":
        """The company's settings, unsaved defaults when it has none."""
        return cls.objects.filter(company=company).first() or cls(company=company)

    @classmethod
    def references_of(cls, company_id: int) -> dict[str, str]:
        """The company's current references as ``Invoice`` field values, to copy onto an invoice being issued."""
        found = cls.objects.filter(company_id=company_id).values(*cls.REFERENCE_FIELDS).first()
        return found or dict.fromkeys(cls.REFERENCE_FIELDS, "")
