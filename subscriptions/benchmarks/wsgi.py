"""The web benchmark's WSGI app: the portal, with ``/bench/bare/`` served by Django without any middleware."""

import os
from collections.abc import Callable
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.test.utils import override_settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "subscriptions.benchmarks.settings")
portal = get_wsgi_application()
with override_settings(MIDDLEWARE=[]):
    bare = WSGIHandler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    handler = bare if environ.get("PATH_INFO", "").startswith("/bench/bare/") else portal
    return handler(environ, start_response)
