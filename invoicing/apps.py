from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = _("Invoice")

    def ready(self) -> None:
        from portal.areas import Area, registry

        registry.register(
            Area(
                key="invoice",
                title=_("Invoice"),
                url_name="invoice:index",
                description=_("All invoices from us, use and details per user, PDF and eInvoice."),
                icon="file-invoice",
                order=40,
            )
        )
