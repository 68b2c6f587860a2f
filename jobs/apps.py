from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Core: durable background work (task queue helpers, worker leases). Imports no area."""

    name = "jobs"
    verbose_name = _("Background tasks")

    def ready(self) -> None:
        from audit.labels import PREFIX_LABELS, register
        from registry.areas import StaffPage, register_staff_page

        register_staff_page(
            StaffPage(
                "jobs",
                _("Background tasks"),
                "jobs:staff",
                icon="gears",
                order=900,
                urls="jobs.urls",
                url_prefix="jobs/",
            )
        )
        register({"task.retried": _("Retried background task")})
        PREFIX_LABELS.setdefault("task", _("Background tasks"))
