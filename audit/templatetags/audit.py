from django import template
from django.utils.functional import Promise

from audit.labels import label_for

register = template.Library()


@register.filter
def action_label(action: str) -> str | Promise:
    return label_for(action)
