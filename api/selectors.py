from django.db.models import QuerySet

from api.models import APIClient
from companies.models import Company


def company_clients(*, company: Company | None) -> QuerySet[APIClient]:
    return APIClient.objects.for_company(company).select_related("created_by")
