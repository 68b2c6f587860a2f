"""Human, translated names for audit actions, system actors and targets; each app adds its own."""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common import formats

if TYPE_CHECKING:
    from audit.models import AuditEvent

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
    "membership.review_confirmed": _("Confirmed admin access in the access review"),
    "membership.review_removed": _("Removed an admin in the access review"),
    "membership.review_completed": _("Completed the access review"),
    "company.created": _("Created company"),
    "company.changed": _("Changed company"),
}


# Names for the first part of an action key ("ticket.created" -> "ticket"), for the activity log's filter.
# Areas' prefixes fall back to the area's title (see ``prefix_label``).
PREFIX_LABELS: dict[str, str | Promise] = {
    "account": _("Sign-in and profile"),
    "membership": _("Admin access"),
    "company": _("Company"),
    "outbox": _("E-mail outbox"),
}

# What the trail stores for work done without a person (``Actor.system(label)``), in the reader's language.
SYSTEM_ACTOR_LABELS: dict[str, str | Promise] = {
    "system": _("the system"),
    "provisioning": _("automatic activation"),
    "scheduled change": _("scheduled call flow change"),
    "roll-over": _("monthly roll-over"),
    "overdue run": _("overdue check"),
    "mark_overdue command": _("overdue check"),
    "run_billing command": _("billing run"),
    "import_usage command": _("usage import"),
    "import_payments command": _("payment import"),
    "demo": _("demo data"),
    "demo data": _("demo data"),
    "billing run": _("billing run"),
}

# A target's label is stored when the event is written, in the writer's language (a fee's English name,
# "Faktura 100060"). An app registers a labeller for its target type that names the targets again in the
# reader's language: target ids in, {id: label} out, one query for a whole page.
TargetLabeller = Callable[[list[str]], dict[str, str]]
TARGET_LABELLERS: dict[str, TargetLabeller] = {}
_E164 = re.compile(r"\+\d{8,15}\b")


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


def register_target_labeller(target_type: str, labeller: TargetLabeller) -> None:
    TARGET_LABELLERS[target_type] = labeller


def actor_label(event: "AuditEvent") -> str:
    """Who did it: the person's e-mail, or the translated name of the system job."""
    if event.actor_id is None and event.actor_label in SYSTEM_ACTOR_LABELS:
        return str(SYSTEM_ACTOR_LABELS[event.actor_label])
    return event.actor_label


def phones_in(text: str) -> str:
    """Phone numbers inside a stored label ("Mette Hansen (+4521104729)") as everywhere else."""
    return _E164.sub(lambda match: formats.phone(match.group()), text) if "+" in text else text


def label_targets(events: Iterable["AuditEvent"]) -> None:
    """Sets ``target_display`` (and ``actor_display``) on each event, in the active language."""
    events = list(events)
    ids: dict[str, list[str]] = defaultdict(list)
    for event in events:
        if event.target_type in TARGET_LABELLERS and event.target_id:
            ids[event.target_type].append(event.target_id)
    names = {target_type: TARGET_LABELLERS[target_type](target_ids) for target_type, target_ids in ids.items()}
    for event in events:
        label = names.get(event.target_type, {}).get(event.target_id) or event.target_label
        event.target_display = phones_in(label)  # type: ignore[attr-defined]
        event.actor_display = actor_label(event)  # type: ignore[attr-defined]
