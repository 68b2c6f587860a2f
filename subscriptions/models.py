"""Subscriptions and the operator's product catalogue.

The catalogue (Product, AddOn, OneOffFee) is kept by the operator's staff;
a Subscription belongs to one company and names one employee (not a portal user).
States follow TMF637 Product Inventory.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.scoping import CompanyOwned


class Product(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", _("Mobile voice")
        BROADBAND = "broadband", _("Mobile broadband")
        LANDLINE = "landline", _("Landline / IP phone")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_da = models.CharField(_("name in Danish"), max_length=120, blank=True)
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

    def __str__(self) -> str:
        return self.name


class AddOn(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_da = models.CharField(_("name in Danish"), max_length=120, blank=True)
    monthly_price = models.PositiveIntegerField(_("monthly price (øre, excl. VAT)"))
    products = models.ManyToManyField(Product, verbose_name=_("available on"), related_name="add_ons", blank=True)
    is_active = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("add-on")
        verbose_name_plural = _("add-ons")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OneOffFee(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_da = models.CharField(_("name in Danish"), max_length=120, blank=True)
    price = models.PositiveIntegerField(_("price (øre, excl. VAT)"))

    class Meta:
        verbose_name = _("one-off fee")
        verbose_name_plural = _("one-off fees")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Subscription(CompanyOwned):
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
    product = models.ForeignKey(Product, verbose_name=_("subscription type"), on_delete=models.PROTECT,
                                related_name="subscriptions")
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

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["user_name", "id"]

    def __str__(self) -> str:
        return f"{self.user_name} ({self.phone_number or self.product})"
