"""Helpers for the route-walking tests: every URL of the portal's own apps.

Each app may declare in ``<app>/tests/factories.py`` a dict ``URL_KWARGS``
mapping a URL keyword argument (e.g. ``ticket_id``) to a function that makes
an object in a given company and returns the value for the URL. The walker
then proves another company's ids answer 404 without the test being edited.
"""

import importlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from companies.models import Company

# The shell's apps with pages, and apps whose pages live inside an area's grant without being an area
# (usage, guardrails: mounted by selfservice/urls.py).
SHELL_APPS = ["portal", "audit", "accounts", "api", "sso", "employees", "usage", "guardrails"]
SHELL_NAMESPACES = {"portal", "audit", "accounts", "api_clients", "sso", "employee_requests", "usage", "guardrails"}


def portal_apps() -> list[str]:
    """The apps whose URLs the route walkers cover: the shell's and every registered area's."""
    from registry.areas import registry

    apps.check_apps_ready()  # the areas register in AppConfig.ready()
    return [*SHELL_APPS, *registry.apps()]


PORTAL_APPS = portal_apps()


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    namespace: str
    kwargs: tuple[str, ...]
    callback: Callable[..., Any]

    @property
    def area_key(self) -> str | None:
        return getattr(self.callback, "area_key", None)

    @property
    def read_only_may_post(self) -> bool:
        return getattr(self.callback, "read_only_may_post", False)


def _walk(patterns: list[Any], namespace: str, converters: dict[str, Any]) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, ns, {**converters, **entry.pattern.converters})
        elif isinstance(entry, URLPattern) and entry.name:
            kwargs = tuple(sorted({**converters, **entry.pattern.converters}))
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(name=name, namespace=namespace, kwargs=kwargs, callback=entry.callback)


def portal_routes() -> list[Route]:
    from registry.areas import registry

    # The shell's namespaces plus each area's, which is its key (not always its app label).
    namespaces = {*SHELL_NAMESPACES, *registry.keys()}
    return [r for r in _walk(get_resolver().url_patterns, "", {}) if r.namespace in namespaces]


def url_kwarg_factories() -> dict[str, Callable[[Company], Any]]:
    factories: dict[str, Callable[[Company], Any]] = {}
    for label in PORTAL_APPS:
        try:
            module = importlib.import_module(f"{label}.tests.factories")
        except ModuleNotFoundError:
            continue
        factories.update(getattr(module, "URL_KWARGS", {}))
    return factories


def browser_sign_in(page: Any, base_url: str, user: Any, company: Company | None = None) -> None:
    """Signs a Playwright page in as ``user`` with a session cookie, skipping the sign-in form.

    Browser tests that are not about signing in use this, so that the sign-in steps (a second factor
    for staff, rate limits) do not have to be replayed in every test.
    """
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if company is not None:
        from companies.middleware import SESSION_KEY

        session = client.session
        session[SESSION_KEY] = company.pk
        session.save()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal, for commands that draw a progress bar there."""

    def isatty(self) -> bool:
        return True
