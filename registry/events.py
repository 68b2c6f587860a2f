"""In-process domain events: a lower layer says what happened, higher layers react.

An event is a frozen dataclass subclassing ``Event``, named in the past tense and defined by the
package that publishes it (e.g. ``subscriptions.events.SubscriptionCreated``). A higher area
subscribes in its ``AppConfig.ready()``::

    subscribe(SubscriptionCreated, on_subscription_created)

and the lower one publishes, without importing its listeners::

    facts = publish(SubscriptionCreated(subscription=sub, port_in=..., by=by))

Handlers run synchronously, in subscription order, inside the publisher's transaction: a handler
that raises (e.g. ``ValidationError``) rolls back the publisher's change too, so nothing is left
half done. A handler may return facts (a mapping) for the publisher's audit record, e.g.
``{"port_request": "PR-12"}``; ``publish`` returns them merged. Work outside the database
(e-mails, tasks) is queued by the handler as usual, on commit.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

type Facts = Mapping[str, Any]
type Handler[E: Event] = Callable[[E], Facts | None]


@dataclass(frozen=True, kw_only=True)
class Event:
    """The base of all events. Handlers are looked up by the event's exact class."""


_handlers: defaultdict[type[Event], list[Handler[Any]]] = defaultdict(list)


def subscribe[E: Event](event_type: type[E], handler: Handler[E]) -> None:
    """Calls ``handler(event)`` for every published ``event_type``; subscribing twice is a no-op."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def unsubscribe[E: Event](event_type: type[E], handler: Handler[E]) -> None:
    if handler in _handlers[event_type]:
        _handlers[event_type].remove(handler)


def publish(event: Event) -> dict[str, Any]:
    """Runs the event's handlers now, in the caller's transaction; returns the facts they report."""
    facts: dict[str, Any] = {}
    for handler in list(_handlers.get(type(event), ())):
        facts |= handler(event) or {}
    return facts
