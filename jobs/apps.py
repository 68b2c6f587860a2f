from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Core: durable background work (task queue helpers, worker leases). Imports no area."""

    name = "jobs"
    verbose_name = "Background work"
