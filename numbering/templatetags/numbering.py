from typing import Any

from django import template

from common.telecom import OPERATOR_LABELS
from numbering.reasons import localise_reason

register = template.Library()


@register.filter
def operator(value: str) -> str:
    """The operator's name for its key (``telia`` → Telia)."""
    return str(OPERATOR_LABELS.get(value, value))


@register.filter
def reason(value: str) -> str:
    """A status reason in the reader's language ("Oprettet" on an English page → "Created")."""
    return localise_reason(value)


@register.filter
def port_actor(event: Any) -> str:
    """Who changed the status: the person's e-mail, or the translated name of the system job."""
    from audit.labels import SYSTEM_ACTOR_LABELS

    label = event.actor_label or "system"
    return str(SYSTEM_ACTOR_LABELS.get(label, label)) if event.user_id is None else label
