"""What happens to support tickets, told to the areas above (``registry.events``).

Published in the transaction of the change; the customer API's webhooks subscribe to them.
"""

from dataclasses import dataclass

from registry.events import Event


@dataclass(frozen=True, kw_only=True)
class TicketStatusChanged(Event):
    """A ticket's status changed (by staff, by the customer, or by a reply that moved it on)."""

    company_id: int
    ticket_id: int
    from_status: str
    to_status: str


@dataclass(frozen=True, kw_only=True)
class TicketStaffReplied(Event):
    """Operator staff answered the customer (never an internal note)."""

    company_id: int
    ticket_id: int
    message_id: int
