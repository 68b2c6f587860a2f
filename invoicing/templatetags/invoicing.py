from django import template

register = template.Library()

# Money, data volumes and phone numbers are formatted by the core's formatting layer: {% load formats %}.


@register.filter
def unlocalize_num(value: float) -> str:
    """SVG coordinates need a decimal point whatever the language."""
    return f"{value:.1f}"
