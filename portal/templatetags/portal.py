from django import template
from django.utils.safestring import SafeString

from companies.permissions import AreaPolicy

register = template.Library()


@register.filter
def can_change(policy: AreaPolicy, key: str) -> bool:
    return policy.can_change(key)


@register.filter
def can_view(policy: AreaPolicy, key: str) -> bool:
    return policy.can_view(key)


@register.simple_tag(takes_context=True)
def portal_shell(context: template.Context) -> SafeString:
    """The top menu, from ``portal.shell`` (rendered once per user, grants, company, language and area)."""
    from portal.shell import render_shell

    return render_shell(context)
