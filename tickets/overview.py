from typing import Any, cast

from django.http import HttpRequest

from companies.http import PortalRequest, require_company
from tickets import selectors

LATEST = 5  # the overview shows the latest few; the tickets page has the rest, with filter and search


def overview_context(request: HttpRequest) -> dict[str, Any]:
    """ "My support tickets" on the overview: the latest few (newest activity first) and the number open.

    Two queries whatever the number of tickets (one without any): the latest few, with when this admin last
    read each, and the number open."""
    user = cast(PortalRequest, request).user
    company = require_company(request)
    latest = list(selectors.company_tickets(company=company, user=user)[:LATEST])
    for ticket in latest:
        ticket.unread = selectors.has_unread_reply(ticket)  # type: ignore[attr-defined]
    # No tickets at all: none open either, and one query fewer (as the paginated list it replaces).
    open_count = selectors.company_tickets(company=company, user=user, state="open").count() if latest else 0
    return {"latest": latest, "open_count": open_count}
