from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsageConfig(AppConfig):
    name = "usage"
    verbose_name = _("Usage")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit.labels import register
        from invoicing.events import UsageImported
        from registry.demo import Seeder, register_seeder
        from registry.events import subscribe
        from usage.aggregates import on_usage_imported, seed_usage_totals

        subscribe(UsageImported, on_usage_imported)
        register(
            {
                "usage.report_recipient_added": _("Added a usage report address"),
                "usage.report_recipient_confirmed": _("Confirmed a usage report address"),
                "usage.report_recipient_removed": _("Removed a usage report address"),
                "usage.report_scheduled": _("Scheduled a report"),
                "usage.report_unscheduled": _("Stopped a scheduled report"),
                "usage.report_stopped": _("A scheduled report stopped: its admin's access changed"),
            }
        )
        register_seeder(Seeder("usage totals", seed_usage_totals, order=950))
