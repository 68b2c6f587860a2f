"""Settings for the web benchmark (scripts/bench_web.py): production settings plus the floor views.

Static files use the plain storage so no ``collectstatic`` manifest is needed (the benchmark fetches none).
"""

from selfservice.settings import *  # noqa: F403

ROOT_URLCONF = "subscriptions.benchmarks.urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
