import threading
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.utils.translation import gettext_lazy as _

from registry.scoping import CompanyOwned


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def get(self, *args: Any, **kwargs: Any) -> "User":
        """``get(pk=…)``, what the authentication backend runs on every signed-in request, executes a SELECT
        compiled once per process and thread instead of building and compiling the queryset each time (~1 ms
        of the ~2 ms the middleware stack costs; docs/benchmarks.md, fourth pass). The row is still read from
        the database on every request — a changed password or a deactivated user counts on the next one —
        and the instance is the one the ORM builds (``from_db``, with the backend's converters)."""
        if args or kwargs.keys() != {"pk"}:
            return super().get(*args, **kwargs)
        pk_field = self.model._meta.pk
        assert pk_field is not None
        try:
            pk = pk_field.to_python(kwargs["pk"])
        except ValidationError:
            return super().get(*args, **kwargs)  # the ORM's own error for a malformed key
        using = self.db
        compiled = _compiled_pk_lookup(self, using)
        sql, attnames, compiler, converters = compiled
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [pk_field.get_db_prep_value(pk, connections[using])])
            rows = cursor.fetchall()
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        if not rows:
            raise self.model.DoesNotExist(f"{self.model._meta.object_name} matching query does not exist.")
        return self.model.from_db(using, attnames, rows[0])


_compiled = threading.local()  # per thread: a compiler is bound to its thread's connection


def _compiled_pk_lookup(manager: models.Manager, using: str) -> tuple[str, list[str], Any, dict]:
    cache: dict[tuple[str, int], Any] = _compiled.__dict__.setdefault("lookups", {})
    key = (using, id(connections[using]))
    hit = cache.get(key)
    if hit is None:
        query = manager.get_queryset().filter(pk=0).query
        query.clear_ordering(force=True)  # as QuerySet.get() does
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        assert len(params) == 1, "one parameter: the primary key"
        columns = [col for col, _sql, _alias in compiler.select]
        attnames = [col.target.attname for col in columns]
        hit = (sql, attnames, compiler, compiler.get_converters(columns))
        cache[key] = hit
    return hit


class User(AbstractUser):
    """A person who signs in: a company admin or one of the operator's staff.

    Employees named on subscriptions are not users; they never sign in.
    """

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="da",
        help_text=_("The language of the portal, e-mails and documents for this user."),
    )
    # Bumped whenever one of the user's memberships or their companies change (companies.signals): the
    # active-company middleware keeps the memberships in the session and reloads them when this moves.
    access_version = models.PositiveIntegerField(_("access version"), default=0, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A full save of a user loaded earlier (a password change, the admin form) must not write back the
        # access_version it read: a grant changed in between would stay cached in the session.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.attname for f in self._meta.concrete_fields if not f.primary_key and f.attname != "access_version"
            ]
        super().save(*args, **kwargs)


class AccessReview(CompanyOwned):
    """A quarter's review of a company's admins (and its subsidiaries'): a main admin confirms or removes each.

    One per company and quarter (unique). Its rows are the admins when it was opened; it is complete when
    every row is decided (or the admin was removed elsewhere). The reminder fields say which e-mails went out,
    so running the reminder twice sends each once (see ``accounts.reviews``).
    """

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    reminded_again_at = models.DateTimeField(_("second reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("access review")
        verbose_name_plural = _("access reviews")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["company", "year", "quarter"], name="access_review_once_a_quarter")
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.year} Q{self.quarter}"


class AccessReviewRow(CompanyOwned):
    """One admin in a review (``company`` is the review's company, for scoping): confirmed or removed, by whom."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Not decided")
        CONFIRMED = "confirmed", _("Confirmed")
        REMOVED = "removed", _("Removed")

    review = models.ForeignKey(AccessReview, on_delete=models.CASCADE, related_name="rows")
    membership = models.ForeignKey(
        "companies.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="review_rows"
    )
    email = models.EmailField(_("e-mail address"))
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("access review row")
        verbose_name_plural = _("access review rows")
        constraints = [
            models.UniqueConstraint(fields=["review", "membership"], name="access_review_row_once_per_admin")
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_decided(self) -> bool:
        return self.decision != self.Decision.PENDING or self.membership_id is None
