from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Core: one outbox for all e-mail (a row per message, sent outside transactions). Imports no area."""

    name = "outbox"
    verbose_name = "E-mail outbox"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from audit import labels
        from registry.areas import StaffPage, register_staff_page

        register_staff_page(
            StaffPage(
                "outbox",
                _("E-mail outbox"),
                "outbox:staff",
                icon="envelope",
                order=910,
                urls="outbox.urls",
                url_prefix="staff/mail/",
            )
        )
        labels.register(
            {
                "outbox.resend": _("Resent an e-mail"),
                "outbox.mark_sent": _("Marked an e-mail as sent"),
            }
        )
