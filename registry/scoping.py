"""The one way code reaches company-owned data, and it fails closed.

Every model that belongs to a company inherits ``CompanyOwned`` and gets two managers:

- ``Model.objects``: its querysets refuse to run (``UnscopedQueryError``) until they are scoped:
  ``.for_company(company)`` (nothing for ``None``), an explicit ``filter(company=...)`` /
  ``company_id=`` / ``company__in=``, or ``.unscoped()`` said out loud for cross-company work
  (billing run, staff queues, management commands, tasks that hold an id already proven).
  Building a queryset, ``create()``, ``bulk_create()`` and using it as a subquery stay free.
- ``Model.all_companies``: the plain default manager Django's internals use (related managers,
  admin, deletion, dumpdata, unique checks, form choices' defaults). Portal code does not use it;
  it writes ``Model.objects.unscoped()`` so every cross-company read can be found with grep.
"""

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from companies.models import Company

M = TypeVar("M", bound=models.Model)

# filter() keywords that pin a queryset to chosen companies.
COMPANY_LOOKUPS = frozenset(
    {
        "company",
        "company_id",
        "company__in",
        "company_id__in",
        "company__exact",
        "company_id__exact",
        "company__pk",
        "company__id",
        "company__pk__in",
        "company__id__in",
    }
)


# The attribute a Company instance carries when it stands for a cost-centre-limited admin's view of the company
# (set by companies.permissions.apply_limits on the request's company): a tuple of cost centre names.
LIMIT_ATTR = "cost_centre_limit"


def cost_centre_limit(company: Any) -> tuple[str, ...] | None:
    """The cost centres this company object is limited to; None: the whole company."""
    limit = getattr(company, LIMIT_ATTR, None)
    return tuple(limit) if limit is not None else None


def limit_to_cost_centres(queryset: models.QuerySet[M], company: Any, field: str = "cost_centre") -> models.QuerySet[M]:
    """The queryset cut to the company object's cost-centre limit (for models that are not ``CompanyOwned``
    but carry a cost centre: counters, invoice sections). Unlimited companies: unchanged."""
    limit = cost_centre_limit(company)
    if limit is None:
        return queryset
    return queryset.filter(**{f"{field}__in": limit})


def check_cost_centre(company: Any, cost_centre: str) -> None:
    """Refuses a cost centre outside the company object's limit (a limited admin creates, moves and edits rows
    only within their cost centres). Unlimited companies: anything goes."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    limit = cost_centre_limit(company)
    if limit is not None and cost_centre not in limit:
        raise ValidationError(
            _("Choose one of your cost centres: %(centres)s.") % {"centres": ", ".join(limit)},
            code="cost_centre_not_yours",
        )


def _limit_in(kwargs: dict[str, Any]) -> tuple[str, ...] | None:
    """The cost-centre limit carried by the company (or companies) a filter names; several: all must agree."""
    limits: list[tuple[str, ...] | None] = []
    for key in ("company", "company__exact", "company__in"):
        if key not in kwargs:
            continue
        value = kwargs[key]
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        limits += [cost_centre_limit(v) for v in values]
    found = [limit for limit in limits if limit is not None]
    if not found:
        return None
    # A mix of limited and unlimited companies: the union of the limits (never the whole company).
    return tuple(sorted({c for limit in found for c in limit}))


class UnscopedQueryError(RuntimeError):
    """A company-owned queryset was run without saying which companies it is about.

    Always a programming error (so a 500, never a 403/404 that would hide it): scope the
    queryset with ``for_company()``/``filter(company=...)``, or call ``unscoped()`` for
    deliberate cross-company work.
    """


def _names_company(args: Iterable[Any], kwargs: dict[str, Any]) -> bool:
    if COMPANY_LOOKUPS.intersection(kwargs):
        return True
    for arg in args:
        if isinstance(arg, Q) and not arg.negated and arg.connector == Q.AND:
            children = arg.children
            if any(isinstance(c, tuple) and c[0] in COMPANY_LOOKUPS for c in children):
                return True
            if _names_company([c for c in children if isinstance(c, Q)], {}):
                return True
    return False


class CompanyQuerySet(models.QuerySet[M]):
    # True on querysets from ``objects`` until they are scoped; False on ``all_companies``.
    _scope_required: bool = False

    # -- scoping ---------------------------------------------------------------------------

    def for_company(self, company: "Company | None") -> Self:
        if company is None or company.pk is None:
            return self.none()
        return self.filter(company=company)

    def unscoped(self) -> Self:
        """Deliberate cross-company work: this queryset may run over every company's rows."""
        clone = self.all()
        clone._scope_required = False
        return clone

    def filter(self, *args: Any, **kwargs: Any) -> Self:
        clone = super().filter(*args, **kwargs)
        if clone._scope_required and _names_company(args, kwargs):
            clone._scope_required = False
        # A model whose rows belong to a cost centre (``cost_centre_scope`` names the field) scoped through a
        # limited company object answers only that admin's cost centres: foreign rows are simply not there.
        field = getattr(self.model, "cost_centre_scope", None)
        if field:
            limit = _limit_in(kwargs)
            if limit is not None:
                clone = super(CompanyQuerySet, clone).filter(**{f"{field}__in": limit})
        return clone

    def none(self) -> Self:
        clone = super().none()
        clone._scope_required = False  # empty: nothing to leak
        return clone

    def _clone(self) -> Self:
        clone: Self = super()._clone()  # type: ignore[misc]
        clone._scope_required = self._scope_required
        return clone

    def __and__(self, other: models.QuerySet[M]) -> Self:
        combined = super().__and__(other)
        if isinstance(combined, CompanyQuerySet):
            combined._scope_required = self._scope_required and getattr(other, "_scope_required", False)
        return combined

    def __or__(self, other: models.QuerySet[M]) -> Self:
        combined = super().__or__(other)
        if isinstance(combined, CompanyQuerySet):
            combined._scope_required = self._scope_required or getattr(other, "_scope_required", False)
        return combined

    def __xor__(self, other: models.QuerySet[M]) -> Self:
        combined = super().__xor__(other)
        if isinstance(combined, CompanyQuerySet):
            combined._scope_required = self._scope_required or getattr(other, "_scope_required", False)
        return combined

    def union(self, *other_qs: models.QuerySet[Any], all: bool = False) -> Self:
        combined = super().union(*other_qs, all=all)
        combined._scope_required = self._scope_required or any(getattr(qs, "_scope_required", False) for qs in other_qs)
        return combined

    # -- the guard -------------------------------------------------------------------------

    def _check_scoped(self, action: str) -> None:
        if not self._scope_required:
            return
        # A related manager or prefetch reaches rows through an object already held.
        if "instance" in getattr(self, "_hints", {}):
            return
        raise UnscopedQueryError(
            f"{self.model.__name__}.objects: {action} on a queryset that is not scoped to a company. "
            "Use .for_company(company) or filter(company=...), or .unscoped() for deliberate "
            "cross-company work."
        )

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scoped("evaluating")
        super()._fetch_all()

    def count(self) -> int:
        if self._result_cache is None:
            self._check_scoped("count()")
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._check_scoped("exists()")
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scoped("aggregate()")
        return super().aggregate(*args, **kwargs)

    def iterator(self, chunk_size: int | None = None) -> Iterator[M]:
        self._check_scoped("iterator()")
        return super().iterator(chunk_size)

    def aiterator(self, chunk_size: int = 2000) -> AsyncIterator[M]:
        self._check_scoped("aiterator()")
        return super().aiterator(chunk_size)

    def update(self, **kwargs: Any) -> int:
        self._check_scoped("update()")
        return super().update(**kwargs)

    def _update(self, values: Any, returning_fields: Any = None) -> Any:
        self._check_scoped("update")
        return super()._update(values, returning_fields)  # type: ignore[misc]

    def delete(self) -> tuple[int, dict[str, int]]:
        self._check_scoped("delete()")
        return super().delete()

    def explain(self, *, format: Any = None, **options: Any) -> str:
        self._check_scoped("explain()")
        return super().explain(format=format, **options)

    def __repr__(self) -> str:
        if self._scope_required and self._result_cache is None:
            return f"<{type(self).__name__} {self.model.__name__} (not scoped to a company)>"
        return super().__repr__()


class _ScopedManager(models.Manager[M]):
    def get_queryset(self) -> CompanyQuerySet[M]:
        queryset: CompanyQuerySet[M] = CompanyQuerySet(
            model=self.model, using=self._db, hints=getattr(self, "_hints", {})
        )
        queryset._scope_required = True
        return queryset


# The plain manager (``all_companies``): every company's rows, for Django's internals.
CompanyManager = models.Manager.from_queryset(CompanyQuerySet)
# ``objects``: querysets that refuse to run until scoped to a company.
ScopedCompanyManager = _ScopedManager.from_queryset(CompanyQuerySet)


class CompanyOwned(models.Model):
    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")

    # Declared first, so it is Django's default manager (related managers, admin, deletion, dumpdata).
    all_companies = CompanyManager()
    objects = ScopedCompanyManager()

    class Meta:
        abstract = True


def get_for_company(queryset: models.QuerySet[M], company: "Company | None", **lookup: Any) -> M:
    """One object of the company, or 404 alike for missing and foreign ids."""
    if company is None:
        raise Http404
    try:
        return queryset.filter(company=company).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
