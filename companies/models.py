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


def normalise_cost_centres(values: Any) -> list[str]:
    """Cost centres as a sorted list of distinct, stripped, non-empty names (a grant's limits)."""
    if not isinstance(values, list | tuple | set | frozenset):
        raise ValueError("cost centres must be a list")
    return sorted({str(v).strip() for v in values if str(v).strip()})


class GrantMixin:
    """The level per area and the cost-centre limits of a grant (a membership or an invitation).

    ``areas`` lists the granted areas; ``read_only_areas`` those of them granted read-only (the others are
    full). ``access`` is kept as a summary, "read only" when every granted area is read-only; saving with
    ``access="read_only"`` makes every granted area read-only (how grants were written before levels were per
    area; a row that says ``access="read_only"`` is read-only everywhere whatever the list says). ``cost_centres`` empty: the whole company; else only the subscriptions and invoice lines of those
    cost centres (companies.permissions.cost_centre_limit).
    """

    areas: Any
    read_only_areas: Any
    cost_centres: Any
    access: str

    def level(self, key: str) -> str | None:
        """``"full"``, ``"read_only"`` or None (not granted) for one area."""
        if key not in self.areas:
            return None
        read_only = self.access == Membership.Access.READ_ONLY or key in self.read_only_areas
        return Membership.Access.READ_ONLY if read_only else Membership.Access.FULL

    def levels(self) -> dict[str, str]:
        return {key: level for key in self.areas if (level := self.level(key)) is not None}

    def area_levels(self) -> list[tuple["Area", Any]]:
        """Each granted area with its level's label, in menu order (for the pages)."""
        from registry.areas import registry

        return [
            (area, Membership.Access(level).label)
            for area in registry.all()
            if (level := self.level(area.key)) is not None
        ]

    def levels_grouped(self) -> list[tuple[Any, list[Any]]]:
        """The granted areas grouped by level, full first: [("Full access", [titles]), ("Read only", [titles])]."""
        groups = []
        for level in (Membership.Access.FULL, Membership.Access.READ_ONLY):
            titles = [area.title for area, label in self.area_levels() if label == level.label]
            if titles:
                groups.append((level.label, titles))
        return groups

    def can_change_area(self, key: str) -> bool:
        return self.level(key) == Membership.Access.FULL

    @property
    def is_limited(self) -> bool:
        return bool(self.cost_centres)

    def may_change_line(self, key: str, cost_centre: str) -> bool:
        """Full access to the area and, if limited to cost centres, the line's among them (who may approve or
        decide something about one subscription, e.g. from an e-mail's link)."""
        return self.can_change_area(key) and (not self.cost_centres or cost_centre in self.cost_centres)

    def normalise_grant(self) -> None:
        from registry.areas import registry

        self.areas = registry.normalise(self.areas)
        if self.access == Membership.Access.READ_ONLY:
            self.read_only_areas = list(self.areas)
        self.read_only_areas = [key for key in self.areas if key in set(self.read_only_areas or [])]
        everything_read_only = bool(self.areas) and len(self.read_only_areas) == len(self.areas)
        self.access = Membership.Access.READ_ONLY if everything_read_only else Membership.Access.FULL
        self.cost_centres = normalise_cost_centres(self.cost_centres or [])


class Membership(GrantMixin, models.Model):
    """Makes a user an admin of one company: area grants, each full or read-only, optionally limited to cost
    centres."""

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
    # The granted areas this admin may only see (the others: see and change).
    read_only_areas = models.JSONField(_("read-only areas"), default=list, blank=True)
    # Empty: the whole company. Else only the subscriptions and invoice lines of these cost centres.
    cost_centres = models.JSONField(_("cost centres"), default=list, blank=True)
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
        """Read-only in every granted area (levels are per area: see ``level``/``can_change_area``)."""
        return self.access == self.Access.READ_ONLY

    def has_area(self, key: str) -> bool:
        return key in self.areas

    def granted_areas(self) -> list["Area"]:
        from registry.areas import registry

        return [area for area in registry.all() if area.key in self.areas]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.normalise_grant()
        if kwargs.get("update_fields") is not None and "areas" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "read_only_areas", "access", "cost_centres"}
        super().save(*args, **kwargs)


class Invitation(GrantMixin, CompanyOwned):
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
    read_only_areas = models.JSONField(_("read-only areas"), default=list, blank=True)
    cost_centres = models.JSONField(_("cost centres"), default=list, blank=True)
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("update_fields") is None:
            self.normalise_grant()
        super().save(*args, **kwargs)


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
