from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Customer API")

    def ready(self) -> None:
        from audit.labels import PREFIX_LABELS, register

        PREFIX_LABELS["api_client"] = _("API clients")

        register(
            {
                "api_client.created": _("Created an API client"),
                "api_client.rotated": _("Made a new key for an API client"),
                "api_client.revoked": _("Revoked an API client"),
            }
        )
