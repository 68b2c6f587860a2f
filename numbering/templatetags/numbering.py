from django import template

from numbering.porting import format_number

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """+4533123456 → 33 12 34 56."""
    return format_number(value) if value else ""
