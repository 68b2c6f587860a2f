from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from audit.labels import register
        from registry.areas import Area, QuickAction, registry
        from registry.demo import Seeder, register_seeder
        from subscriptions import checks  # noqa: F401  (registers the encryption key check)
        from subscriptions.counters import ensure_after_migrate

        post_migrate.connect(ensure_after_migrate, sender=self, dispatch_uid="subscriptions.counter_triggers")
        from django.db.models.signals import post_delete, post_save

        from subscriptions.models import Product
        from subscriptions.selectors import catalogue_changed

        for signal in (post_save, post_delete):  # the list page's per-process catalogue reads it again
            signal.connect(catalogue_changed, sender=Product, dispatch_uid="subscriptions.catalogue")

        registry.register(
            Area(
                cost_centre_scoped=True,
                key="subscriptions",
                title=_("Subscriptions"),
                url_name="subscriptions:index",
                description=_(
                    "Your company's subscriptions: users, SIM cards, upgrades, cancellations and new subscriptions."
                ),
                icon="sim-card",
                order=20,
                quick_actions=(QuickAction(_("Create new subscription"), "subscriptions:create_user"),),
                urls="subscriptions.urls",
                url_prefix="subscriptions/",
            )
        )
        from registry.overview import OverviewSection, register_section
        from subscriptions.demo import seed
        from subscriptions.overview import overview_context

        if not getattr(self, "_section_registered", False):
            register_section(
                OverviewSection("subscriptions", "subscriptions/_overview.html", overview_context, order=20)
            )
            self._section_registered = True

        register_seeder(Seeder("subscriptions", seed, order=20))
        register(
            {
                "subscription.created": _("Created subscription"),
                "subscription.activated": _("Activated subscription"),
                "subscription.details_changed": _("Changed subscription details"),
                "subscription.product_changed": _("Changed subscription type"),
                "subscription.product_change_scheduled": _("Scheduled a change of subscription type"),
                "subscription.cancelled": _("Cancelled subscription"),
                "subscription.terminated": _("Subscription ended"),
                "subscription.cancellation_withdrawn": _("Withdrew a cancellation"),
                "subscription.cost_centre_changed": _("Changed cost centre"),
                "subscription.bulk_queued": _("Started a bulk update"),
                "subscription.secret_revealed": _("Viewed PIN/PUK"),
                "subscription.secret_reveal_refused": _("Too many PIN/PUK views: refused"),
                "subscription.sim_replaced": _("Ordered a replacement SIM"),
                "subscription.moved_to_esim": _("Moved to eSIM"),
                "subscription.add_ons_changed": _("Changed add-ons"),
                "subscription.blocks_changed": _("Changed service blocks"),
                "subscription.suspended": _("Suspended subscription"),
                "subscription.resumed": _("Resumed subscription"),
                "subscription.exported": _("Downloaded subscription overview"),
            }
        )
