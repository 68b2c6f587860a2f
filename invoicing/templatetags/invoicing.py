from decimal import Decimal

from django import template
from django.utils.formats import number_format

from invoicing.money import format_kr
from subscriptions.templatetags.subscriptions import phone as _phone

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


@register.filter
def phone(value: str | None) -> str:
    """A phone number as the subscriptions list shows it (20 12 34 56), on invoices too."""
    return _phone(value or "")
