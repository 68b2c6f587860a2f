"""Subscriptions and the operator's product catalogue.

The catalogue (Product, AddOn, OneOffFee) is kept by the operator's staff;
a Subscription belongs to one company and names one employee (not a portal user).
States follow TMF637 Product Inventory.
"""

from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from registry.scoping import CompanyManager, CompanyOwned, ScopedCompanyManager
from subscriptions import crypto
from subscriptions.sorting import MAX_LENGTH as SORT_KEY_LENGTH
from subscriptions.sorting import danish_sort_key


class LocalisedNameMixin:
    """Catalogue entries are named (and described) in English and Danish: shown in the active language,
    falling back to English where the Danish text is missing."""

    name: str
    name_da: str

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("da") and self.name_da:
            return self.name_da
        return self.name

    @property
    def display_description(self) -> str:
        description: str = getattr(self, "description", "")
        description_da: str = getattr(self, "description_da", "")
        if (get_language() or "").startswith("da") and description_da:
            return description_da
        return description

    def __str__(self) -> str:
        return self.display_name


class Product(LocalisedNameMixin, models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", _("Mobile voice")
        BROADBAND = "broadband", _("Mobile broadband")
        LANDLINE = "landline", _("Landline / IP phone")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_da = models.CharField(_("name in Danish"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_da = models.TextField(_("description in Danish"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    data_gb = models.PositiveIntegerField(_("data allowance (GB)"), null=True, blank=True)
    # Monthly price in øre, excluding VAT.
    monthly_price = models.PositiveIntegerField(_("monthly price (øre, excl. VAT)"))
    binding_months = models.PositiveSmallIntegerField(_("binding period (months)"), default=0)
    notice_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=30)
    allowed_changes = models.ManyToManyField(
        "self", verbose_name=_("allowed upgrade/downgrade targets"), symmetrical=False, blank=True
    )
    is_active = models.BooleanField(_("available for new subscriptions"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    class Meta:
        verbose_name = _("subscription type")
        verbose_name_plural = _("subscription types")
        ordering = ["kind", "sort_order", "monthly_price"]


class AddOn(LocalisedNameMixin, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_da = models.CharField(_("name in Danish"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_da = models.TextField(_("description in Danish"), blank=True)
    monthly_price = models.PositiveIntegerField(_("monthly price (øre, excl. VAT)"))
    products = models.ManyToManyField(Product, verbose_name=_("available on"), related_name="add_ons", blank=True)
    is_active = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("add-on")
        verbose_name_plural = _("add-ons")
        ordering = ["name"]


class OneOffFee(LocalisedNameMixin, models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_da = models.CharField(_("name in Danish"), max_length=120, blank=True)
    price = models.PositiveIntegerField(_("price (øre, excl. VAT)"))

    class Meta:
        verbose_name = _("one-off fee")
        verbose_name_plural = _("one-off fees")
        ordering = ["name"]


class Subscription(CompanyOwned):
    # Scoped through a cost-centre-limited admin's company, only their cost centres' rows (registry.scoping).
    cost_centre_scope = "cost_centre"

    class Status(models.TextChoices):
        PENDING_ACTIVE = "pending_active", _("Pending activation")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        PENDING_TERMINATE = "pending_terminate", _("Cancellation pending")
        TERMINATED = "terminated", _("Terminated")
        CANCELLED = "cancelled", _("Cancelled before start")

    class SimType(models.TextChoices):
        PHYSICAL = "physical", _("Physical SIM")
        ESIM = "esim", _("eSIM")

    user_name = models.CharField(_("user's name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    # E.164, e.g. +4520123456; blank for a landline without a number yet.
    phone_number = models.CharField(_("phone number"), max_length=16, blank=True, db_index=True)
    product = models.ForeignKey(
        Product, verbose_name=_("subscription type"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    add_ons = models.ManyToManyField(AddOn, verbose_name=_("add-ons"), blank=True, related_name="subscriptions")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING_ACTIVE)
    start_date = models.DateField(_("start date"))
    binding_end = models.DateField(_("binding ends"), null=True, blank=True)
    # The last day the subscription is active and billed (set by a cancellation).
    end_date = models.DateField(_("end date"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    cost_centre = models.CharField(_("cost centre"), max_length=40, blank=True)
    salary_number = models.CharField(_("salary number"), max_length=40, blank=True)
    invoice_note = models.CharField(_("invoice note"), max_length=200, blank=True)
    sim_type = models.CharField(_("SIM type"), max_length=10, choices=SimType.choices, blank=True)
    iccid = models.CharField(_("SIM card number (ICCID)"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Added by the Subscriptions area (issue 4).
    sort_name = models.CharField(_("sort key"), max_length=SORT_KEY_LENGTH, blank=True, editable=False)
    search_text = models.CharField(_("search text"), max_length=460, blank=True, editable=False)
    pin_encrypted = models.TextField(_("PIN (encrypted)"), blank=True, editable=False)
    puk_encrypted = models.TextField(_("PUK (encrypted)"), blank=True, editable=False)
    sim_blocked = models.BooleanField(_("SIM blocked"), default=False)
    # A product change from the next period: applied by the monthly roll-over.
    scheduled_product = models.ForeignKey(
        Product, verbose_name=_("changes to"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_product_date = models.DateField(_("change date"), null=True, blank=True)
    # Keep an existing number from another operator: the port-in itself is handled by the Numbers area.
    port_in_operator = models.CharField(_("current operator"), max_length=80, blank=True)
    port_in_requested = models.BooleanField(_("port-in requested"), default=False)
    # The creation guide's idempotency key: a double submit finds the same subscription.
    order_token = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    # Service blocks (spærringer), set by the company's admins on the profile.
    block_roaming = models.BooleanField(
        _("block calls and data abroad (roaming)"),
        default=False,
        help_text=_("Calls, texts and data outside Denmark are refused."),
    )
    block_data = models.BooleanField(
        _("block mobile data"),
        default=False,
        help_text=_("Calls and texts still work."),
    )
    block_premium = models.BooleanField(
        _("block premium-rate and content services"),
        default=False,
        help_text=_("Premium-rate services: 90-numbers, premium texts and content charged to the bill."),
    )
    # A temporary suspension (e.g. an employee on leave); the subscription keeps its number.
    suspend_reason = models.CharField(_("suspension reason"), max_length=200, blank=True)
    suspended_on = models.DateField(_("suspended since"), null=True, blank=True)

    # Not database fields: set on the rows of a list page by selectors.label_rows.
    type_label: str
    status_label: str
    url: str

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["sort_name", "id"]
        indexes = [
            models.Index(fields=["company", "sort_name", "id"], name="subs_company_sort"),
            models.Index(fields=["company", "email", "id"], name="subs_company_email"),
            models.Index(fields=["company", "phone_number", "id"], name="subs_company_phone"),
            models.Index(fields=["company", "product", "sort_name", "id"], name="subs_company_product"),
            models.Index(fields=["company", "status", "sort_name"], name="subs_company_status"),
            models.Index(fields=["company", "cost_centre", "status"], name="subs_company_cc_status"),
            models.Index(fields=["company", "iccid"], name="subs_company_iccid"),
            # The customer API's sync: lastUpdate.gte and sort=lastUpdate.
            models.Index(fields=["company", "updated_at", "id"], name="subs_company_updated"),
            # Covering index for the search's LIKE: the count scans this narrow index, not the table.
            models.Index(fields=["company", "search_text"], name="subs_company_search"),
        ]

    def __str__(self) -> str:
        from common.formats import phone

        return f"{self.user_name} ({phone(self.phone_number) if self.phone_number else self.product_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_search_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and ("user_name" in update_fields or "email" in update_fields):
            kwargs["update_fields"] = set(update_fields) | {"sort_name", "search_text"}
        super().save(*args, **kwargs)

    def refresh_search_fields(self) -> None:
        """Called on save, and by bulk writers before bulk_create."""
        self.sort_name = danish_sort_key(self.user_name)
        self.search_text = f"{self.user_name} {self.email}".casefold()

    @property
    def pin(self) -> str:
        return crypto.decrypt(self.pin_encrypted)

    @pin.setter
    def pin(self, value: str) -> None:
        self.pin_encrypted = crypto.encrypt(value)

    @property
    def puk(self) -> str:
        return crypto.decrypt(self.puk_encrypted)

    @puk.setter
    def puk(self, value: str) -> None:
        self.puk_encrypted = crypto.encrypt(value)

    @property
    def is_mobile(self) -> bool:
        return self.product.kind in (Product.Kind.MOBILE, Product.Kind.BROADBAND)

    @property
    def is_open(self) -> bool:
        """Still running (or about to), so it can be changed or cancelled."""
        return self.status in (self.Status.PENDING_ACTIVE, self.Status.ACTIVE, self.Status.SUSPENDED)

    @property
    def blocks(self) -> list[tuple[str, str, bool]]:
        """The service blocks as (field, label, on), in the order the profile shows them."""
        labels = {f.name: str(f.verbose_name) for f in self._meta.fields if f.name in BLOCK_FIELDS}
        return [(name, labels[name], getattr(self, name)) for name in BLOCK_FIELDS]

    @property
    def monthly_total(self) -> int:
        return self.product.monthly_price + sum(a.monthly_price for a in self.add_ons.all())


BLOCK_FIELDS = ["block_roaming", "block_data", "block_premium"]


class SubscriptionCount(models.Model):
    """How many of a company's subscriptions have this type, status and cost centre.

    Written only by database triggers (subscriptions.counters), in the transaction of every change;
    read by the overview and the list so their cost does not grow with the company.
    No foreign key constraints: the triggers must never be the reason a company cannot be deleted.
    """

    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, db_constraint=False, related_name="+", verbose_name=_("company")
    )
    product = models.ForeignKey(
        Product, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("subscription type")
    )
    status = models.CharField(_("status"), max_length=20, choices=Subscription.Status.choices)
    cost_centre = models.CharField(_("cost centre"), max_length=40, blank=True)
    count = models.IntegerField(_("count"), default=0)

    # Fails closed like CompanyOwned (its company key has no constraint, so it cannot inherit it).
    all_companies = CompanyManager()
    objects = ScopedCompanyManager()

    class Meta:
        verbose_name = _("subscription count")
        verbose_name_plural = _("subscription counts")
        constraints = [
            models.UniqueConstraint(fields=["company", "product", "status", "cost_centre"], name="subs_count_key"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}/{self.product_id}/{self.status}/{self.cost_centre}: {self.count}"


class ListVersion(models.Model):
    """A number that changes with every change to a company's subscriptions.

    Written only by database triggers (subscriptions.counters), in the transaction of every insert, update
    and delete of a subscription — whichever code path makes it. The list page keeps what it rendered under
    this number (``subscriptions.kept_list``), so the next request after any write renders afresh.
    No foreign key constraint, like the counters: the triggers must never stop a company's deletion.
    """

    company = models.OneToOneField(
        "companies.Company",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
        verbose_name=_("company"),
    )
    version = models.BigIntegerField(_("version"), default=0)

    all_companies = CompanyManager()
    objects = ScopedCompanyManager()

    class Meta:
        verbose_name = _("subscription list version")
        verbose_name_plural = _("subscription list versions")

    def __str__(self) -> str:
        return f"{self.company_id}: {self.version}"


class NumberPool(models.Model):
    """The operator's free mobile numbers a new subscription can take."""

    phone_number = models.CharField(_("phone number"), max_length=16, unique=True)
    reserved_for = models.ForeignKey(
        "companies.Company",
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)

    class Meta:
        verbose_name = _("free number")
        verbose_name_plural = _("free numbers")
        ordering = ["phone_number"]
        indexes = [models.Index(fields=["reserved_for", "phone_number"], name="subs_pool_free")]

    def __str__(self) -> str:
        return self.phone_number


class SimOrder(CompanyOwned):
    """A replacement SIM or a move to eSIM; the old SIM is blocked at once."""

    class Kind(models.TextChoices):
        REPLACEMENT = "replacement", _("Replacement SIM")
        ESIM = "esim", _("Move to eSIM")
        NEW = "new", _("New SIM for a new subscription")

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="sim_orders"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    blocked_iccid = models.CharField(_("blocked SIM"), max_length=20, blank=True)
    ship_to = models.TextField(_("ship to"), blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("SIM order")
        verbose_name_plural = _("SIM orders")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class BulkJob(CompanyOwned):
    """A bulk update too large for one web request, applied all or nothing by a background task.

    Holds what was previewed (the action, its values and the subscription ids that would change), so
    the task can check every row again under lock; see docs/durable-work.md.
    """

    class Action(models.TextChoices):
        CANCEL = "cancel", _("Cancel subscriptions")
        CHANGE_PRODUCT = "change_product", _("Change subscription type")
        COST_CENTRE = "cost_centre", _("Change cost centre")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Failure(models.TextChoices):
        CONFLICT = "conflict", _("Subscriptions changed since the preview")
        ERROR = "error", _("Unexpected error")

    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    subscription_ids = models.JSONField(_("subscriptions"), default=list)
    end_date = models.DateField(_("last day"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    target = models.ForeignKey(
        Product,
        verbose_name=_("new subscription type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cost_centre = models.CharField(_("new cost centre"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("subscriptions to change"))
    changed = models.PositiveIntegerField(_("subscriptions changed"), default=0)
    failure = models.CharField(_("failure"), max_length=10, choices=Failure.choices, blank=True)
    # How many of the previewed subscriptions no longer allowed the change when the task ran.
    conflicts = models.PositiveIntegerField(_("conflicting subscriptions"), default=0)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_label = models.CharField(_("started by"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk update")
        verbose_name_plural = _("bulk updates")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
