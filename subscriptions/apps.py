from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self) -> None:
        from portal.areas import Area, registry

        registry.register(
            Area(
                key="subscriptions",
                title=_("Subscriptions"),
                url_name="subscriptions:index",
                description=_("Your company's subscriptions: users, SIM cards, upgrades, cancellations and new subscriptions."),
                icon="sim-card",
                order=20,
            )
        )
