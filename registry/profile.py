"""Sections that higher apps add to a subscription's profile (the guardrails' "barred by a rule" note).

Subscriptions is the lowest area and imports none of them: an app registers a template and a callable
that returns its context for the subscription; the profile includes each, below the service blocks.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class ProfileSection:
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any]]  # (request, subscription) -> context
    order: int = 100


_sections: list[ProfileSection] = []


def register_profile_section(section: ProfileSection) -> None:
    # Idempotent: AppConfig.ready() may run more than once (e.g. in tests).
    _sections[:] = [s for s in _sections if s.template != section.template]
    _sections.append(section)


def profile_sections(request: HttpRequest, subscription: Any) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of each registered section, in order."""
    return [(s.template, s.context(request, subscription)) for s in sorted(_sections, key=lambda s: s.order)]
