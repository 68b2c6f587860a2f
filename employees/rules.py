"""The company's rules for the employee that the Subscriptions area knows: the service blocks.

Registered with ``registry.rules`` in ``EmployeesConfig.ready()``; issue 17's guardrails add their caps the
same way (``register_rule_provider("guardrails.caps", ...)``), without importing this app.
"""

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from registry.rules import Rule
from subscriptions.models import Subscription

BLOCKS = (
    ("block_roaming", _("Calls, texts and data abroad")),
    ("block_data", _("Mobile data")),
    ("block_premium", _("Premium-rate and content services")),
)


def service_blocks(subscriptions: Sequence[Any]) -> dict[int, list[Rule]]:
    """No query: the blocks are fields of the subscription."""
    found: dict[int, list[Rule]] = {}
    for sub in subscriptions:
        if not isinstance(sub, Subscription) or not sub.is_mobile:
            continue
        found[sub.pk] = [
            Rule(
                title=title,
                state=_("Blocked") if getattr(sub, field) else _("Allowed"),
                restricts=bool(getattr(sub, field)),
                help_text=getattr(Subscription._meta.get_field(field), "help_text", ""),
            )
            for field, title in BLOCKS
        ]
    return found
