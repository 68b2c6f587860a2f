from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from accounts import signals  # noqa: F401
        from audit import labels

        labels.register(
            {
                "membership.invited": _("Invited an admin"),
                "membership.invitation_resent": _("Sent an invitation again"),
                "membership.invitation_withdrawn": _("Withdrew an invitation"),
                "membership.invitation_accepted": _("Accepted an invitation"),
                "membership.main_admin_appointed": _("Appointed a main admin"),
                "membership.access_requested": _("Asked for access"),
                "membership.access_approved": _("Approved an access request"),
                "membership.access_refused": _("Refused an access request"),
            }
        )
