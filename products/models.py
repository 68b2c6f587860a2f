"""The Products area: the operator's hardware and SIM catalogue, and the companies' orders.

The catalogue (``Item``) is kept by the operator's staff and shared by every company; an ``Order``
belongs to one company. Order states follow TMF622 Product Ordering (acknowledged, inProgress, held,
completed, cancelled, partial). Money is integer øre, excl. VAT, as everywhere in the portal.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from common.formats import money
from common.money import vat_of
from registry.scoping import CompanyOwned
from subscriptions.models import LocalisedNameMixin


class Item(LocalisedNameMixin, models.Model):
    class Kind(models.TextChoices):
        SIM = "sim", _("SIM card")
        ESIM = "esim", _("eSIM")
        PHONE = "phone", _("Phone")
        TABLET = "tablet", _("Tablet")
        ROUTER = "router", _("Router")
        ACCESSORY = "accessory", _("Accessory")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    name_da = models.CharField(_("name in Danish"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_da = models.TextField(_("description in Danish"), blank=True)
    price = models.PositiveIntegerField(_("price (øre, excl. VAT)"))
    stock = models.PositiveIntegerField(_("in stock"), default=0)
    delivery_days = models.PositiveSmallIntegerField(_("delivery time (working days)"), default=2)
    # Stored under MEDIA_ROOT and served only through products.views.image (never from the web root).
    image = models.FileField(_("image"), upload_to="products/images/%Y/", blank=True, max_length=200)
    image_type = models.CharField(_("image type"), max_length=20, blank=True, editable=False)
    is_active = models.BooleanField(_("for sale"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["sort_order", "name"]

    HARDWARE = (Kind.PHONE, Kind.TABLET, Kind.ROUTER, Kind.ACCESSORY)
    DEVICES = (Kind.PHONE, Kind.TABLET)  # enrolled for zero-touch
    SIMS = (Kind.SIM, Kind.ESIM)

    @property
    def price_with_vat(self) -> int:
        return self.price + vat_of(self.price)

    @property
    def is_hardware(self) -> bool:
        return self.kind in self.HARDWARE

    @property
    def is_device(self) -> bool:
        return self.kind in self.DEVICES

    @property
    def is_sim(self) -> bool:
        return self.kind in self.SIMS

    def __str__(self) -> str:
        return self.display_name


def default_employee_kinds() -> list[str]:
    return [Item.Kind.PHONE, Item.Kind.TABLET, Item.Kind.ACCESSORY, Item.Kind.SIM, Item.Kind.ESIM]


class StockMovement(models.Model):
    """One change of an item's stock, and why: ``Item.stock`` is the sum of its movements.

    Written in the same transaction as the change, under the item's row lock (``products.actions``);
    never edited. ``order`` when an order reserved, restocked or returned it; ``by`` when a person did."""

    class Reason(models.TextChoices):
        OPENING = "opening", _("Opening balance")
        RECEIVED = "received", _("Received")
        WRITTEN_OFF = "written_off", _("Written off")
        COUNTED = "counted", _("Count correction")
        RESERVED = "reserved", _("Reserved by an order")
        RESTOCKED = "restocked", _("Back from a refused or cancelled order")
        NOT_SENT = "not_sent", _("Back from an order closed without it")
        RETURNED = "returned", _("Returned by the customer")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="movements", verbose_name=_("item"))
    delta = models.IntegerField(_("change"))
    stock_after = models.PositiveIntegerField(_("in stock after"))
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    order = models.ForeignKey(
        "Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("order")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    by_label = models.CharField(_("by"), max_length=254, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["item", "-at", "-id"], name="stockmovement_item_recent")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.delta:+d} ({self.reason})"


class ProductSettings(CompanyOwned):
    """A company's rules for ordering: the approval limit and its zero-touch enrolment account."""

    class Provider(models.TextChoices):
        APPLE = "apple", _("Apple Business Manager")
        KNOX = "knox", _("Samsung Knox Mobile Enrollment")
        ANDROID = "android", _("Android Zero-touch")

    approval_limit = models.PositiveIntegerField(
        _("approval above (øre, excl. VAT)"),
        null=True,
        blank=True,
        help_text=_("Orders above this total need a second admin's approval. Empty: no limit."),
    )
    approve_phones = models.BooleanField(_("any phone needs approval"), default=False)
    zero_touch_provider = models.CharField(
        _("zero-touch enrolment"), max_length=10, choices=Provider.choices, blank=True
    )
    zero_touch_org_id = models.CharField(_("organisation id"), max_length=80, blank=True)
    # What employees may ask for from their own page (always approved by an admin): off, or these kinds.
    employees_may_request = models.BooleanField(_("employees may request hardware"), default=True)
    employee_kinds = models.JSONField(_("kinds employees may request"), default=default_employee_kinds, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("product settings")
        verbose_name_plural = _("product settings")
        constraints = [models.UniqueConstraint(fields=["company"], name="one_product_settings_per_company")]


class Order(CompanyOwned):
    class State(models.TextChoices):  # TMF622 ProductOrderStateType
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        IN_PROGRESS = "inProgress", _("In progress")
        HELD = "held", _("Awaiting approval")
        PARTIAL = "partial", _("Partly delivered")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    class Billing(models.TextChoices):
        ONE_OFF = "one_off", _("On the next invoice")
        MONTHS_12 = "months_12", _("12 monthly instalments")
        MONTHS_24 = "months_24", _("24 monthly instalments")

    OPEN_STATES = (State.ACKNOWLEDGED, State.IN_PROGRESS, State.HELD, State.PARTIAL)
    CANCELLABLE_STATES = (State.ACKNOWLEDGED, State.HELD)  # nothing picked or dispatched yet

    state = models.CharField(_("state"), max_length=14, choices=State.choices, default=State.ACKNOWLEDGED)
    billing = models.CharField(_("invoicing"), max_length=10, choices=Billing.choices, default=Billing.ONE_OFF)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("placed by")
    )
    placed_at = models.DateTimeField(_("placed"), auto_now_add=True)
    delivery_name = models.CharField(_("recipient"), max_length=200)
    delivery_street = models.CharField(_("street and number"), max_length=200)
    delivery_postcode = models.CharField(_("postcode"), max_length=10)
    delivery_city = models.CharField(_("city"), max_length=100)
    note = models.CharField(_("note"), max_length=200, blank=True)
    total = models.BigIntegerField(_("total (øre, excl. VAT)"))
    vat = models.BigIntegerField(_("VAT (øre)"))
    needs_approval = models.BooleanField(_("needs approval"), default=False)
    approval_reason = models.CharField(_("why approval"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    refused = models.BooleanField(_("refused"), default=False)
    picked_at = models.DateTimeField(_("picked"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    zero_touch_provider = models.CharField(_("zero-touch enrolment"), max_length=10, blank=True)
    zero_touch_org_id = models.CharField(_("organisation id"), max_length=80, blank=True)
    # An order an employee asked for from their own page (no User placed it): who, and how to tell them.
    requested_by_subscription = models.ForeignKey(
        "subscriptions.Subscription",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by (subscription)"),
    )
    requested_by_name = models.CharField(_("requested by"), max_length=200, blank=True)
    requested_by_email = models.EmailField(_("requester's e-mail"), blank=True)
    requested_language = models.CharField(_("requester's language"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("product order")
        verbose_name_plural = _("product orders")
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-placed_at"], name="productorder_company_recent"),
            models.Index(fields=["state", "placed_at"], name="productorder_queue"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"PO-{self.pk:06d}"

    @property
    def by_employee(self) -> bool:
        return bool(self.requested_by_email)

    @property
    def placed_by_label(self) -> str:
        """Who placed the order, as every page shows it: the admin's address, or "requested by <employee>"."""
        if self.by_employee:
            return str(_("requested by %(employee)s")) % {"employee": self.requested_by_name or self.requested_by_email}
        return self.placed_by.email if self.placed_by_id and self.placed_by else "—"

    @property
    def total_with_vat(self) -> int:
        return self.total + self.vat

    @property
    def instalments(self) -> int:
        return {self.Billing.MONTHS_12: 12, self.Billing.MONTHS_24: 24}.get(self.billing, 1)  # type: ignore[call-overload]

    @property
    def zero_touch_label(self) -> str:
        return str(ProductSettings.Provider(self.zero_touch_provider).label) if self.zero_touch_provider else ""

    @property
    def is_cancellable(self) -> bool:
        return self.state in self.CANCELLABLE_STATES


class OrderLine(models.Model):
    """One catalogue item on an order, at the price it was ordered at; ``subscription`` when it is for one."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.PositiveIntegerField(_("unit price (øre, excl. VAT)"))
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("subscription"),
    )
    employee_name = models.CharField(_("employee"), max_length=200, blank=True)
    employee_email = models.EmailField(_("employee's e-mail"), blank=True)
    shipped_quantity = models.PositiveIntegerField(_("shipped"), default=0)
    returned_quantity = models.PositiveIntegerField(_("returned"), default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price

    @property
    def outstanding(self) -> int:
        return self.quantity - self.shipped_quantity

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item}"  # noqa: RUF001 - the multiplication sign is meant


class Shipment(models.Model):
    """A parcel sent for an order (an order may ship in parts)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(_("carrier"), max_length=40)
    tracking_number = models.CharField(_("tracking number"), max_length=60)
    tracking_url = models.URLField(_("tracking link"), max_length=300)
    shipped_at = models.DateTimeField(_("shipped"), auto_now_add=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["shipped_at", "id"]

    def __str__(self) -> str:
        return self.tracking_number or f"{self.order} {self.shipped_at:%Y-%m-%d}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="shipment_lines")
    quantity = models.PositiveIntegerField(_("quantity"))

    def __str__(self) -> str:
        return f"{self.line} ({self.quantity})"


class ReturnRequest(models.Model):
    """Hardware sent back within 14 days of its shipment; the stock is put back when it is registered."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="returns")
    quantity = models.PositiveIntegerField(_("quantity"))
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # What invoicing did for an instalment order (invoicing.ChargeWithdrawal): instalments already
    # invoiced that were credited, the open ones cancelled or reduced, and the amounts (øre).
    instalments_credited = models.PositiveSmallIntegerField(_("instalments credited"), default=0)
    instalments_cancelled = models.PositiveSmallIntegerField(_("instalments cancelled"), default=0)
    instalments_reduced = models.PositiveSmallIntegerField(_("instalments reduced"), default=0)
    credit = models.BigIntegerField(_("credited (øre, excl. VAT)"), default=0)
    withdrawn = models.BigIntegerField(_("no longer charged (øre, excl. VAT)"), default=0)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"

    @property
    def outcome(self) -> str:
        """What the return did to the invoice, for the order page: '3 instalments credited, 9 cancelled'."""
        touched = self.instalments_credited + self.instalments_cancelled + self.instalments_reduced
        if not touched:
            return gettext("%(amount)s credited") % {"amount": money(self.credit)} if self.credit else ""
        parts = [
            ngettext(
                "%(n)s instalment credited (%(amount)s)",
                "%(n)s instalments credited (%(amount)s)",
                self.instalments_credited,
            )
            % {"n": self.instalments_credited, "amount": money(self.credit)}
        ]
        if self.instalments_cancelled:
            parts.append(
                ngettext("%(n)s cancelled", "%(n)s cancelled", self.instalments_cancelled)
                % {"n": self.instalments_cancelled}
            )
        if self.instalments_reduced:
            parts.append(
                ngettext("%(n)s reduced", "%(n)s reduced", self.instalments_reduced) % {"n": self.instalments_reduced}
            )
        return ", ".join(parts)


class Enrolment(models.Model):
    """A device registered to the company's zero-touch account (through ``products.zerotouch``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        REGISTERED = "registered", _("Registered")
        FAILED = "failed", _("Failed")

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="enrolments")
    serial = models.CharField(_("serial number / IMEI"), max_length=40)
    provider = models.CharField(_("zero-touch enrolment"), max_length=10, choices=ProductSettings.Provider.choices)
    org_id = models.CharField(_("organisation id"), max_length=80)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    external_id = models.CharField(_("reference at the provider"), max_length=80, blank=True)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    # Failed: the provider's reason. Pending: why it waits (NOT_CONFIGURED, or the last temporary error).
    error = models.CharField(_("error"), max_length=200, blank=True)
    # Temporary failures so far (retried with backoff until PRODUCTS_ZERO_TOUCH_MAX_ATTEMPTS).
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    # The provider's asynchronous transaction (Apple), polled until it completes; `polls` bounds the wait.
    transaction_id = models.CharField(_("transaction at the provider"), max_length=80, blank=True)
    polls = models.PositiveSmallIntegerField(_("status checks"), default=0)

    NOT_CONFIGURED = "not configured"

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["provider", "serial"], name="one_enrolment_per_device")]

    def __str__(self) -> str:
        return f"{self.provider} {self.serial}"

    @property
    def reason(self) -> str:
        """Why it failed or waits, for the order page (the provider's own words when it refused)."""
        if not self.error:
            return ""
        if self.status == self.Status.PENDING:
            if self.error == self.NOT_CONFIGURED:
                return str(_("not configured: the operator has not set up this service yet"))
            return str(_("will try again: %(reason)s") % {"reason": self.error})
        return self.error


class EsimActivation(models.Model):
    """An eSIM's activation code, sent to the employee; only a hash of the link's token is stored.

    The code is revealed on the confirm page by a POST (mail scanners only GET). A re-issue (a new
    device) supersedes the previous activation, whose link then stops working."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="activations")
    email = models.EmailField(_("sent to"))
    nonce = models.CharField(max_length=32, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    activation_code = models.CharField(_("activation code"), max_length=200, editable=False)
    issued_at = models.DateTimeField(_("sent"), auto_now_add=True)
    revealed_at = models.DateTimeField(_("opened"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("replaced"), null=True, blank=True)

    class Meta:
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return f"eSIM for {self.email}"
