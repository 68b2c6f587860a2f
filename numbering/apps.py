from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NumberingConfig(AppConfig):
    name = "numbering"
    verbose_name = _("Numbers")

    def ready(self) -> None:
        from audit.labels import register
        from numbering.demo import seed_numbers
        from numbering.overview import overview_context
        from registry.areas import Area, registry
        from registry.demo import Seeder, register_seeder
        from registry.overview import OverviewSection, register_section

        registry.register(
            Area(
                key="numbers",
                title=_("Numbers"),
                url_name="numbers:index",
                description=_("Port landline numbers to us and set up the call flow on your main number."),
                icon="phone-volume",
                order=30,
                staff_url_name="numbers:staff_queue",
                staff_title=_("Port requests"),
                urls="numbering.urls",
                url_prefix="numbers/",
            )
        )
        register_section(
            OverviewSection(
                area_key="numbers",
                template="numbering/overview_section.html",
                context=overview_context,
                order=30,
                changes_with=("numbering.PhoneNumber", "numbering.PortRequest", "numbering.CallFlowVersion"),
            )
        )
        register_seeder(Seeder("numbers", seed_numbers, order=60))
        register(
            {
                "numbers.port_created": _("Created a port request"),
                "numbers.port_changed": _("Corrected a port request"),
                "numbers.port_submitted": _("Submitted a port request"),
                "numbers.port_pending": _("Port request sent to the current operator"),
                "numbers.port_scheduled": _("Scheduled a port"),
                "numbers.port_completed": _("Completed a port"),
                "numbers.port_rejected": _("Rejected a port request"),
                "numbers.port_cancelled": _("Cancelled a port request"),
                "numbers.port_commented": _("Commented on a port request"),
                "numbers.flow_saved": _("Saved the call flow"),
                "numbers.flow_rolled_back": _("Rolled back the call flow"),
                "numbers.flow_change_scheduled": _("Scheduled a call flow change"),
                "numbers.flow_change_cancelled": _("Cancelled a scheduled call flow change"),
                "numbers.flow_change_applied": _("A scheduled call flow took effect"),
                "numbers.flow_change_failed": _("A scheduled call flow could not take effect"),
            }
        )
        from numbering.actions import on_subscription_cancelled, on_subscription_created
        from registry.events import subscribe
        from subscriptions.events import SubscriptionCancelled, SubscriptionCreated

        subscribe(SubscriptionCreated, on_subscription_created)
        subscribe(SubscriptionCancelled, on_subscription_cancelled)
