"""Sections that area apps contribute to the overview page.

An app registers a callable that returns template context for its section;
the overview renders the sections of the areas the admin may see.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class OverviewSection:
    area_key: str
    template: str
    context: Callable[[HttpRequest], dict[str, Any]]
    order: int = 100
    # Model labels ("tickets.Ticket") whose saves and deletes change what the section shows. With them, the
    # overview keeps the section's HTML per company, user and language until a save or delete of one of
    # them, or an audit event, for that company (portal.overview); without, it is rendered on every visit.
    changes_with: tuple[str, ...] = ()


_sections: list[OverviewSection] = []


def register_section(section: OverviewSection) -> None:
    # Idempotent: AppConfig.ready() may run more than once (e.g. in tests).
    _sections[:] = [s for s in _sections if s.template != section.template]
    _sections.append(section)


def sections() -> list[OverviewSection]:
    return sorted(_sections, key=lambda s: s.order)
