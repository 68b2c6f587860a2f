"""The registry of portal areas that the top menu, overview and policy read.

An area app registers itself in its AppConfig.ready(); adding an area is
adding an app. The key is also the app's URL namespace.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class QuickAction:
    """A shortcut in the top menu for admins who may change the area."""

    title: str | Promise
    url_name: str
    icon: str = "plus"

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class Area:
    key: str
    title: str | Promise
    url_name: str
    description: str | Promise
    icon: str  # a Font Awesome solid icon name, e.g. "sim-card"
    order: int = 100
    # The operator staff's page for this area (a queue), shown in the staff menu.
    staff_url_name: str | None = None
    staff_title: str | Promise | None = None
    quick_actions: tuple[QuickAction, ...] = ()

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    @property
    def staff_url(self) -> str | None:
        return reverse(self.staff_url_name) if self.staff_url_name else None


class AreaRegistry:
    def __init__(self) -> None:
        self._areas: dict[str, Area] = {}

    def register(self, area: Area) -> None:
        self._areas[area.key] = area

    def all(self) -> list[Area]:
        return sorted(self._areas.values(), key=lambda a: (a.order, a.key))

    def get(self, key: str) -> Area:
        return self._areas[key]

    def keys(self) -> list[str]:
        return [area.key for area in self.all()]

    def choices(self) -> list[tuple[str, str | Promise]]:
        return [(area.key, area.title) for area in self.all()]

    def normalise(self, keys: Iterable[str]) -> list[str]:
        wanted = set(keys)
        unknown = wanted - set(self._areas)
        if unknown:
            raise ValueError(f"Unknown areas: {', '.join(sorted(unknown))}")
        return [key for key in self.keys() if key in wanted]


registry = AreaRegistry()


@dataclass(frozen=True)
class StaffPage:
    """A staff page that belongs to no area (e.g. background tasks), shown in the staff menu after the areas'."""

    key: str
    title: str | Promise
    url_name: str
    icon: str
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_staff_pages: dict[str, StaffPage] = {}


def register_staff_page(page: StaffPage) -> None:
    """Core apps add their staff pages here, so the shell's menu needs no import of them."""
    _staff_pages[page.key] = page


def staff_pages() -> list[StaffPage]:
    return sorted(_staff_pages.values(), key=lambda p: (p.order, p.key))
