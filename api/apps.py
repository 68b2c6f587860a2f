from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Customer API")

    def ready(self) -> None:
        from api.webhook_events import subscribe_all
        from audit.labels import PREFIX_LABELS, register

        PREFIX_LABELS["api_client"] = _("API clients")
        PREFIX_LABELS["api_hub"] = _("Webhooks")
        subscribe_all()

        register(
            {
                "api_client.created": _("Created an API client"),
                "api_client.rotated": _("Made a new key for an API client"),
                "api_client.revoked": _("Revoked an API client"),
                "api_hub.registered": _("Registered a webhook"),
                "api_hub.unregistered": _("Removed a webhook"),
                "api_hub.redelivered": _("Sent a webhook event again"),
                "api_hub.secret_rotated": _("Made a new signing secret for a webhook"),
            }
        )
