"""Human, translated names for audit actions; each app adds its own."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, str | Promise] = {
    "account.login": _("Signed in"),
    "account.login_failed": _("Failed sign-in"),
    "account.logout": _("Signed out"),
    "account.password_changed": _("Changed password"),
    "account.password_reset": _("Reset password"),
    "account.mfa_added": _("Added a second factor"),
    "account.mfa_removed": _("Removed a second factor"),
    "account.language_changed": _("Changed language"),
    "account.profile_changed": _("Changed own profile"),
    "account.email_changed": _("Changed login e-mail"),
    "membership.created": _("Granted admin access"),
    "membership.changed": _("Changed admin access"),
    "membership.deleted": _("Removed admin access"),
    "company.created": _("Created company"),
    "company.changed": _("Changed company"),
}


# Names for the first part of an action key ("ticket.created" -> "ticket"), for the activity log's filter.
# Areas' prefixes fall back to the area's title (see ``prefix_label``).
PREFIX_LABELS: dict[str, str | Promise] = {
    "account": _("Sign-in and profile"),
    "membership": _("Admin access"),
    "company": _("Company"),
}


def prefix_label(prefix: str) -> str | Promise:
    if prefix in PREFIX_LABELS:
        return PREFIX_LABELS[prefix]
    from registry.areas import registry

    titles = dict(registry.choices())
    return titles.get(prefix) or titles.get(f"{prefix}s") or prefix


def register(labels: dict[str, str | Promise]) -> None:
    ACTION_LABELS.update(labels)


def label_for(action: str) -> str | Promise:
    return ACTION_LABELS.get(action, action)
