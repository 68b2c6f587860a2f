from django import template

from companies.permissions import AreaPolicy

register = template.Library()


@register.filter
def can_change(policy: AreaPolicy, key: str) -> bool:
    return policy.can_change(key)


@register.filter
def can_view(policy: AreaPolicy, key: str) -> bool:
    return policy.can_view(key)
