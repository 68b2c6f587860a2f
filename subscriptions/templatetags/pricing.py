from django import template

from subscriptions.pricing import Price

register = template.Library()


@register.filter
def incl_vat(net: int | None) -> int | None:
    """A price in øre excl. VAT → the same price incl. 25 % VAT (moms), rounded as on the invoice."""
    return None if net is None else Price(net).gross
