from collections.abc import Collection
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from common.formats import phone

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
def subscription_rows(
    rows: Any, can_change: bool, select_label: str, ticked: Collection[int] = frozenset()
) -> SafeString:
    """The list's table rows (the rows of ``selectors.label_rows``), built in one pass; the ``ticked`` ones
    (when a bulk update comes back with an error) keep their tick.

    The same markup the template loop gave; written out here because 50 rows of about ten template variables
    each were a third of the list page's time (docs/benchmarks.md).
    """
    out = []
    label = escape(select_label)
    for sub in rows:
        name = escape(sub.user_name)
        checked = " checked" if sub.pk in ticked else ""
        check = (
            f'<td class="text-center"><input type="checkbox" class="form-check-input" name="ids" value="{sub.pk}" '
            f'aria-label="{label} {name}"{checked}></td>'
            if can_change
            else ""
        )
        out.append(
            f'<tr data-testid="subscription-row">{check}'
            f'<td><a href="{escape(sub.url)}" class="fw-medium">{name}</a></td>'
            f'<td class="text-nowrap">{escape(phone(sub.phone_number))}</td>'
            f"<td>{escape(sub.email)}</td>"
            f"<td>{escape(sub.type_label)}</td>"
            f"<td>{escape(sub.cost_centre)}</td>"
            f'<td><span class="badge status-badge {status_badge(sub.status)}">{escape(sub.status_label)}</span></td>'
            "</tr>"
        )
    return mark_safe("\n".join(out))  # every value above is escaped


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
