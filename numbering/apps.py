from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NumberingConfig(AppConfig):
    name = "numbering"
    verbose_name = _("Numbers")

    def ready(self) -> None:
        from portal.areas import Area, registry

        registry.register(
            Area(
                key="numbers",
                title=_("Numbers"),
                url_name="numbers:index",
                description=_("Port landline numbers to us and set up the call flow on your main number."),
                icon="phone-volume",
                order=30,
            )
        )
