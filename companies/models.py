from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.validators import validate_cvr, validate_ean
from registry.scoping import CompanyOwned

if TYPE_CHECKING:
    from registry.areas import Area


class Company(models.Model):
    """A customer of the operator: a company or an organisation."""

    name = models.CharField(_("name"), max_length=200)
    cvr = models.CharField(_("CVR number"), max_length=8, unique=True, validators=[validate_cvr])
    ean = models.CharField(
        _("EAN number"),
        max_length=13,
        blank=True,
        validators=[validate_ean],
        help_text=_("For electronic invoices (OIOUBL/Peppol)."),
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subsidiaries",
    )
    require_mfa = models.BooleanField(
        _("require two-factor authentication"),
        default=False,
        help_text=_("Admins must set up an authenticator app before they can use the portal."),
    )
    invoice_language = models.CharField(_("invoice language"), max_length=8, choices=settings.LANGUAGES, default="da")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def address_lines(self) -> list[str]:
        return [line for line in (self.street, f"{self.postcode} {self.city}".strip()) if line]


class Membership(models.Model):
    """Makes a user an admin of one company, with an access level and area grants."""

    class Access(models.TextChoices):
        FULL = "full", _("Full access")
        READ_ONLY = "read_only", _("Read only")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="memberships"
    )
    access = models.CharField(_("access"), max_length=16, choices=Access.choices, default=Access.FULL)
    # Keys of the areas this admin may use (see registry.areas); validated there.
    areas = models.JSONField(_("areas"), default=list, blank=True)
    # A main admin invites, changes and removes the admins of this company and its subsidiaries, granting
    # only what this membership holds (accounts.admins).
    is_main_admin = models.BooleanField(_("main admin"), default=False)
    # Who gave the current grant, and when (empty: the operator's staff, before grants were recorded).
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="one_membership_per_company"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company}"

    @property
    def is_read_only(self) -> bool:
        return self.access == self.Access.READ_ONLY

    def has_area(self, key: str) -> bool:
        return key in self.areas

    def granted_areas(self) -> list["Area"]:
        from registry.areas import registry

        return [area for area in registry.all() if area.key in self.areas]

    def save(self, *args: Any, **kwargs: Any) -> None:
        from registry.areas import registry

        self.areas = registry.normalise(self.areas)
        super().save(*args, **kwargs)


class Invitation(CompanyOwned):
    """An invitation to become an admin of a company, sent by a main admin (or staff).

    Only a hash of the token is stored. The e-mailed link opens a confirm page: a GET (a mail scanner
    following the link) never uses it, only the POST from that page does. Re-sending makes a new token,
    so the old link stops working.
    """

    email = models.EmailField(_("e-mail address"))
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    access = models.CharField(_("access"), max_length=16, choices=Membership.Access.choices)
    areas = models.JSONField(_("areas"), default=list, blank=True)
    is_main_admin = models.BooleanField(_("main admin"), default=False)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="da")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None


class AccessRequest(CompanyOwned):
    """An admin asks the company's main admins for an area (or full access to it); one click decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    membership = models.ForeignKey(
        Membership, verbose_name=_("admin"), on_delete=models.CASCADE, related_name="access_requests"
    )
    area = models.CharField(_("area"), max_length=32)
    full = models.BooleanField(_("full access"), default=True)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.membership.user} → {self.area}"

    @property
    def area_title(self) -> Any:
        from registry.areas import registry

        return registry.get(self.area).title
