from typing import Any

from django import template
from django.utils.functional import Promise

from audit.labels import actor_label, label_for

register = template.Library()


@register.filter
def action_label(action: str) -> str | Promise:
    return label_for(action)


@register.filter
def actor_name(event: Any) -> str:
    """The event's actor in the reader's language (system jobs are named, people by e-mail)."""
    return actor_label(event)
