"""The company's rules for an employee, as the employee's own pages show them: an extension point.

The employees app (high up) shows them; the apps that make rules (subscriptions' service blocks, later
issue 17's guardrails with their caps) sit lower and cannot import it, so they register a provider here in
their ``AppConfig.ready()``::

    registry.rules.register_rule_provider("guardrails.caps", caps_for)

A provider takes the list of subscriptions shown and returns ``{subscription_id: [Rule, ...]}``. It is called
once per page for all of them, so it keeps the page's query count fixed (one query for all, or none).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Rule:
    """One rule, in words the employee reads: "Calls and data abroad: blocked"."""

    title: str | Promise
    state: str | Promise  # "Blocked", "Allowed", "500 kr. a month"
    restricts: bool = False  # shown as a restriction (a badge), not as plain information
    help_text: str | Promise = ""


type RuleProvider = Callable[[Sequence[Any]], dict[int, list[Rule]]]

_providers: dict[str, RuleProvider] = {}


def register_rule_provider(key: str, provider: RuleProvider) -> None:
    """Adds (or replaces, for the same key) a provider; the order of registration is the order shown."""
    _providers[key] = provider


def unregister_rule_provider(key: str) -> None:
    _providers.pop(key, None)


def rules_for(subscriptions: Sequence[Any]) -> dict[int, list[Rule]]:
    """Every provider's rules for the subscriptions, per subscription id (an empty list when none)."""
    found: dict[int, list[Rule]] = {sub.pk: [] for sub in subscriptions}
    for provider in list(_providers.values()):
        for sub_id, rules in provider(subscriptions).items():
            found.setdefault(sub_id, []).extend(rules)
    return found
