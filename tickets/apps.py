from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Support tickets")

    def ready(self) -> None:
        from portal.areas import Area, registry

        registry.register(
            Area(
                key="tickets",
                title=_("Support tickets"),
                url_name="tickets:index",
                description=_("Your support tickets with us: follow them, reply and create new ones."),
                icon="life-ring",
                order=10,
            )
        )
