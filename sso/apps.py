from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = _("Single sign-on")

    def ready(self) -> None:
        from registry.areas import StaffPage, register_staff_page
        from sso import signals  # noqa: F401 (registers the receivers)

        # Mounted with sso.urls at /sso/ (selfservice.urls), so no URL module of its own here.
        register_staff_page(StaffPage("sso", _("Single sign-on"), "sso:staff", icon="key", order=880))
