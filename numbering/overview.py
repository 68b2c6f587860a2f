from typing import Any

from django.http import HttpRequest

from companies.http import active_company
from numbering import selectors
from numbering.models import PortRequest


def overview_context(request: HttpRequest) -> dict[str, Any]:
    company = active_company(request)
    return {
        "numbers_main": selectors.phone_numbers(company=company).filter(kind="main").first(),
        "numbers_landlines": selectors.phone_numbers(company=company).exclude(kind="main").count(),
        "numbers_open_ports": selectors.port_requests(company=company)
        .exclude(status__in=[PortRequest.Status.COMPLETED, PortRequest.Status.CANCELLED, PortRequest.Status.DRAFT])
        .count(),
        "numbers_flow": selectors.active_flow(company=company),
    }
