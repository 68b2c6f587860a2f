"""The one way views reach company-owned data.

Every model that belongs to a company inherits ``CompanyOwned``; views and
selectors reach it through ``for_company(company)``, which fails closed: no
company means an empty queryset, never everything. Cross-company work (the
monthly billing run, staff pages) uses ``Model.objects`` explicitly.
"""

from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from companies.models import Company

M = TypeVar("M", bound=models.Model)


class CompanyQuerySet(models.QuerySet[M]):
    def for_company(self, company: "Company | None") -> Self:
        if company is None or company.pk is None:
            return self.none()
        return self.filter(company=company)


class CompanyOwned(models.Model):
    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")

    objects: Any = CompanyQuerySet.as_manager()

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
