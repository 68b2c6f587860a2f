from typing import Any

from django.http import HttpRequest

from companies.http import active_company
from numbering import selectors


def overview_context(request: HttpRequest) -> dict[str, Any]:
    company = active_company(request)
    return {
        "numbers_main": selectors.phone_numbers(company=company).filter(kind="main").first(),
        "numbers_landlines": selectors.phone_numbers(company=company).exclude(kind="main").count(),
        "numbers_open_ports": selectors.open_port_request_count(company=company),
        "numbers_flow": selectors.active_flow(company=company),
    }
