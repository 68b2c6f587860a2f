from typing import Any

from django import template

register = template.Library()

BADGES = {
    "active": "text-bg-success",
    "pending_active": "text-bg-info",
    "suspended": "text-bg-warning",
    "pending_terminate": "text-bg-warning",
    "terminated": "text-bg-secondary",
    "cancelled": "text-bg-secondary",
}


@register.filter
def status_badge(status: str) -> str:
    return BADGES.get(status, "text-bg-light")


@register.simple_tag
def history_note(event: Any, add_on_names: dict[str, str]) -> str:
    """What an add-on or service-block change changed, for the profile's history."""
    from django.utils.translation import gettext as _

    from subscriptions.models import BLOCK_FIELDS, Subscription

    details = event.details or {}
    if event.action == "subscription.blocks_changed":
        labels = {f.name: str(f.verbose_name) for f in Subscription._meta.fields if f.name in BLOCK_FIELDS}
        on, off = _("on"), _("off")
        parts = [
            f"{labels.get(name, name)}: {on if change[1] else off}"
            for name, change in (details.get("changes") or {}).items()
        ]
        return "; ".join(parts)
    if event.action == "subscription.add_ons_changed":
        parts = [f"+ {add_on_names.get(code, code)}" for code in details.get("added", [])]
        parts += [f"− {add_on_names.get(code, code)}" for code in details.get("removed", [])]  # noqa: RUF001
        return ", ".join(parts)
    return ""
