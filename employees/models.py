"""An employee (the person named on a subscription, not a portal user) signs in with a one-time link and asks
their company's admins for a change.

The employee is never a ``User``: the signed-in state is the verified e-mail address in the session
(``employees.session``), so every admin page, which keys on ``request.user`` and a ``Membership``, treats an
employee as an anonymous visitor (it fails closed by construction).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.scoping import CompanyOwned


class SignInLink(models.Model):
    """A one-time sign-in link sent to an address on a subscription: only its SHA-256 is stored.

    Not company-owned: the address may be on subscriptions of several companies, and the link proves the
    address, not a company.
    """

    email = models.EmailField(_("e-mail address"), db_index=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=8, default="da")
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("employee sign-in link")
        verbose_name_plural = _("employee sign-in links")

    def __str__(self) -> str:
        return f"{self.email} ({self.created_at:%Y-%m-%d %H:%M})"


class EmployeeRequest(CompanyOwned):
    """An employee asks their company's admins for another product or a new SIM/eSIM; an admin decides."""

    # A cost-centre-limited admin sees (and decides) only the requests of their cost centres' subscriptions
    # (registry.scoping).
    cost_centre_scope = "subscription__cost_centre"

    class Kind(models.TextChoices):
        UPGRADE = "upgrade", _("Another subscription type")
        SIM = "sim", _("A new SIM card")
        ESIM = "esim", _("An eSIM")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an admin")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="employee_requests",
    )
    kind = models.CharField(_("request"), max_length=10, choices=Kind.choices)
    product = models.ForeignKey(
        "subscriptions.Product",
        verbose_name=_("subscription type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ship_to = models.CharField(_("send the SIM card to"), max_length=300, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    # Who asked (the address proven by the sign-in link) and in which language they read.
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(_("language"), max_length=8, default="da")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("employee request")
        verbose_name_plural = _("employee requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "status", "created_at"], name="emp_request_company_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subscription}"
