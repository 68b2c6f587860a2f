from collections.abc import Collection
from html import escape as _escape
from typing import Any

from django import template
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
    # html.escape: what django.utils.html.escape does (quotes too), without its lazy-string check per call,
    # which was a tenth of the list page's time at ~350 calls a page.
    escape = _escape
    label = escape(str(select_label))
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
def choice_options(choices: Any, selected: Any) -> SafeString:
    """``<option>``s of the list's filter selects: the markup the template loop gave, in one pass."""
    return mark_safe(  # every value is escaped
        "".join(
            f'<option value="{_escape(str(value))}" {"selected" if value == selected else ""}>'
            f"{_escape(str(label))}</option>"
            for value, label in choices
        )
    )


@register.simple_tag
def product_options(products: Any, selected: Any = None, target: str | None = None) -> SafeString:
    """``<option>``s of the subscription types: the type filter (``selected``: the chosen product), or the bulk
    bar's new type (``target``: the posted value; only types on sale). The markup the template loops gave."""
    if target is None:
        options = (
            f'<option value="{p.pk}" {"selected" if p == selected else ""}>{_escape(str(p.display_name))}</option>'
            for p in products
        )
    else:
        options = (
            f'<option value="{p.pk}"{" selected" if target == str(p.pk) else ""}>{_escape(str(p.display_name))}</option>'
            for p in products
            if p.is_active
        )
    return mark_safe("".join(options))  # every value is escaped


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
