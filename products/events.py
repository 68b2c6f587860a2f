"""What happens to product orders, told to the layers above (``registry.events``): the customer API's
webhooks listen (``api.webhook_events``). Published in the action's transaction, after the change."""

from dataclasses import dataclass

from registry.events import Event


@dataclass(frozen=True, kw_only=True)
class OrderStateChanged(Event):
    """An order's state changed (approved, refused, cancelled, picked, shipped, completed)."""

    company_id: int
    order_id: int
    previous: str
    state: str
