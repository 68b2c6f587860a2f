"""The registry of portal areas that the root URLs, top menu, staff menu, overview and policy read.

An area app registers itself in its AppConfig.ready(); adding an area is adding an app (and its
entry in INSTALLED_APPS): the root URLconf mounts the area's URL module at its prefix, the route
walkers test it, the menus and the overview show it. The key is also the app's URL namespace.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode


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
    # The app's URL module (whose app_name is the key) and the path the root URLconf mounts it at,
    # e.g. urls="numbering.urls", url_prefix="numbers/". The app is the URL module's package.
    urls: str | None = None
    url_prefix: str = ""
    # The area scopes its rows by cost centre, so an admin limited to cost centres may hold it (see
    # companies.permissions); areas that show the whole company's data are refused to limited admins.
    cost_centre_scoped: bool = False

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    @property
    def app(self) -> str | None:
        """The Django app that provides the area (``numbering`` for the key ``numbers``)."""
        return self.urls.rpartition(".")[0] if self.urls else None

    @property
    def staff_url(self) -> str | None:
        return reverse(self.staff_url_name) if self.staff_url_name else None


class AreaRegistry:
    def __init__(self) -> None:
        self._areas: dict[str, Area] = {}
        self._access_request_url_name: str | None = None
        # Counts the changes, for what is built from the areas and kept (portal.shell's menus).
        self.version = 0

    def register(self, area: Area) -> None:
        if area.urls and not area.url_prefix.endswith("/"):
            raise ValueError(f"Area {area.key}: url_prefix must end with a slash, got {area.url_prefix!r}")
        taken = {a.url_prefix: a.key for a in self._areas.values() if a.urls and a.key != area.key}
        if area.urls and area.url_prefix in taken:
            raise ValueError(f"Area {area.key}: url_prefix {area.url_prefix!r} is already {taken[area.url_prefix]}'s")
        self._areas[area.key] = area
        self.version += 1

    def fingerprint(self) -> tuple[object, ...]:
        """Changes whenever an area or staff page is registered or replaced (also by a test's monkeypatch)."""
        return (self.version, *map(id, self._areas.values()), *map(id, _staff_pages.values()))

    def with_urls(self) -> list[Area]:
        """The areas whose URL module the root URLconf includes, in menu order."""
        return [area for area in self.all() if area.urls]

    def apps(self) -> list[str]:
        """The apps that provide areas (for the route walkers)."""
        return [area.app for area in self.all() if area.app]

    # -- "ask us for access" ---------------------------------------------------------------------

    def provide_access_request(self, url_name: str) -> None:
        """An app that takes access requests (tickets) names its page; it is opened with ``?area=<key>``."""
        self._access_request_url_name = url_name
        self.version += 1

    def access_request_url(self, area: Area) -> str | None:
        """Where an admin without (full) access to ``area`` asks for it; None when no app takes requests
        (the 403 page then says to contact the operator)."""
        if self._access_request_url_name is None:
            return None
        return reverse(self._access_request_url_name) + "?" + urlencode({"area": area.key})

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
    # The app's URL module and the path the root URLconf mounts it at, as for an Area.
    urls: str | None = None
    url_prefix: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_staff_pages: dict[str, StaffPage] = {}


def register_staff_page(page: StaffPage) -> None:
    """Core apps add their staff pages here, so the shell's menu needs no import of them."""
    _staff_pages[page.key] = page
    registry.version += 1  # the staff menu lists them


def staff_pages() -> list[StaffPage]:
    return sorted(_staff_pages.values(), key=lambda p: (p.order, p.key))
