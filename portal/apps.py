from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from portal import overview
        from registry.areas import StaffPage, register_staff_page

        overview.connect()  # the overview's kept sections follow their models' saves
        register_staff_page(
            StaffPage("main_admins", _("Main admins"), "portal:staff_main_admins", icon="user-shield", order=890)
        )
