"""The Invoice area's section on the overview page: the latest invoices."""

from typing import Any

from django.http import HttpRequest

from companies.http import active_company
from invoicing import selectors


def latest_invoices(request: HttpRequest) -> dict[str, Any]:
    return {"invoices": list(selectors.invoices(company=active_company(request))[:3])}
