"""The Invoice area's section on the overview page: the latest invoices."""

from typing import Any

from django.http import HttpRequest

from companies.http import active_company
from companies.permissions import cost_centre_limit
from invoicing import selectors


def latest_invoices(request: HttpRequest) -> dict[str, Any]:
    # The amounts are the whole company's: an admin limited to cost centres sees the invoices without them.
    return {
        "invoices": list(selectors.invoices(company=active_company(request))[:3]),
        "limited": cost_centre_limit(request),
    }
