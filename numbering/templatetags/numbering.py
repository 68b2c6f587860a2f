from django import template

from numbering.porting import OPERATOR_LABELS

register = template.Library()


@register.filter
def operator(value: str) -> str:
    """The operator's name for its key (``telia`` → Telia)."""
    return str(OPERATOR_LABELS.get(value, value))
