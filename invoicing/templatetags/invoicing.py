from decimal import Decimal

from django import template
from django.utils.formats import number_format

from invoicing.money import format_kr

register = template.Library()


@register.filter
def kr(ore: int | None) -> str:
    """Øre as kroner with the Danish decimal comma: 123456 → '1.234,56'."""
    return format_kr(int(ore or 0))


@register.filter
def gb(megabytes: Decimal | None) -> str:
    return number_format(Decimal(megabytes or 0) / 1024, 2)


@register.filter
def unlocalize_num(value: float) -> str:
    """SVG coordinates need a decimal point whatever the language."""
    return f"{value:.1f}"
