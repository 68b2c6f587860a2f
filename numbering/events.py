"""What happens in the Numbers area, told to the layers above (``registry.events``).

Numbering never imports its listeners: the API (webhooks) subscribes to these in its ``ready()``.
Handlers run in the publisher's transaction, so a rolled-back change tells nobody.
"""

from dataclasses import dataclass

from audit.actor import Actor
from registry.events import Event


@dataclass(frozen=True, kw_only=True)
class PortRequestStatusChanged(Event):
    """A port request moved from ``previous`` to ``new`` (one ``PortEvent`` of its timeline)."""

    company_id: int
    port_request_id: int
    subscription_id: int | None
    previous: str
    new: str
    by: Actor


@dataclass(frozen=True, kw_only=True)
class CallFlowSaved(Event):
    """A new version of the company's call flow was saved (and is now the active one)."""

    company_id: int
    version_id: int
    by: Actor
