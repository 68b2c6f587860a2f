from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = _("Invoice")

    def ready(self) -> None:
        from audit.labels import register, register_target_labeller
        from invoicing.audit_labels import charge_labels, invoice_labels
        from invoicing.demo import seed_invoicing
        from invoicing.overview import latest_invoices
        from registry.areas import Area, registry
        from registry.demo import Seeder, register_seeder
        from registry.overview import OverviewSection, register_section

        registry.register(
            Area(
                cost_centre_scoped=True,
                key="invoice",
                title=_("Invoice"),
                url_name="invoice:index",
                description=_("All invoices from us, use and details per user, PDF and eInvoice."),
                icon="file-invoice",
                order=40,
                staff_url_name="invoice:staff",
                staff_title=_("Invoicing"),
                urls="invoicing.urls",
                url_prefix="invoices/",
            )
        )
        register(
            {
                "invoice.issued": _("Issued invoice"),
                "invoice.credited": _("Issued credit note"),
                "invoice.billing_started": _("Started billing run"),
                "invoice.billing_forced": _("Forced billing of a month that was not over"),
                "invoice.charge_added": _("Charged one-off fee"),
                "invoice.usage_imported": _("Imported usage"),
                "invoice.einvoice_added": _("Signed up for eInvoice"),
                "invoice.einvoice_confirmed": _("Confirmed eInvoice address"),
                "invoice.einvoice_removed": _("Removed eInvoice address"),
                "invoice.einvoice_opted_out": _("Stopped eInvoice"),
                "invoice.einvoice_resent": _("Resent an eInvoice"),
                "invoice.payment_registered": _("Registered payment"),
                "invoice.overdue": _("Invoice became overdue"),
            }
        )
        register_target_labeller("invoicing.invoice", invoice_labels)
        register_target_labeller("invoicing.charge", charge_labels)
        from invoicing.tasks import follow_outbox_message
        from outbox.sender import message_changed

        message_changed.connect(follow_outbox_message, dispatch_uid="invoicing.follow_outbox_message")
        register_seeder(Seeder("invoices", seed_invoicing, order=900))
        register_section(
            OverviewSection(
                "invoice", "invoicing/_overview.html", latest_invoices, order=40, changes_with=("invoicing.Invoice",)
            )
        )
        from invoicing.actions import on_charge_due, on_charges_withdrawn
        from invoicing.events import ChargesWithdrawn, InvoiceIssued
        from invoicing.tasks import queue_documents
        from registry.events import subscribe
        from subscriptions.events import ChargeDue

        subscribe(ChargeDue, on_charge_due)
        subscribe(ChargesWithdrawn, on_charges_withdrawn)
        subscribe(InvoiceIssued, queue_documents)
