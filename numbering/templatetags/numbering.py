from django import template

from common.telecom import OPERATOR_LABELS, format_number

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """+4533123456 → 33 12 34 56."""
    return format_number(value) if value else ""


@register.filter
def operator(value: str) -> str:
    """The operator's name for its key (``telia`` → Telia)."""
    return str(OPERATOR_LABELS.get(value, value))
