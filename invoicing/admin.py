from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from invoicing.models import (
    Charge,
    EInvoiceDelivery,
    EInvoiceRecipient,
    Invoice,
    InvoiceCounter,
    Payment,
    PaymentImport,
    UsageImport,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Issued documents and logs are never edited by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "company", "period", "category", "status", "total", "issue_date", "due_date"]
    list_filter = ["status", "category", "period"]
    search_fields = ["=number", "company__name", "company__cvr"]
    list_select_related = ["company"]


@admin.register(EInvoiceDelivery)
class EInvoiceDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "email", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status"]
    search_fields = ["email", "=invoice__number"]
    list_select_related = ["invoice"]


@admin.register(EInvoiceRecipient)
class EInvoiceRecipientAdmin(admin.ModelAdmin):
    list_display = ["email", "company", "confirmed_at", "created_at"]
    search_fields = ["email", "company__name"]
    list_select_related = ["company"]


@admin.register(Charge)
class ChargeAdmin(admin.ModelAdmin):
    list_display = ["description", "company", "subscription", "amount", "date", "invoice"]
    raw_id_fields = ["subscription", "invoice"]
    list_select_related = ["company", "subscription", "invoice"]


@admin.register(UsageImport)
class UsageImportAdmin(ReadOnlyAdmin):
    list_display = ["filename", "status", "rows", "imported_by", "imported_at", "sha256"]
    list_filter = ["status"]


admin.site.register(InvoiceCounter, ReadOnlyAdmin)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments are registered on the staff page (they update the invoice and the audit log)."""

    list_display = ["invoice", "company", "amount", "paid_on", "method", "reference", "created_by_label", "created_at"]
    list_filter = ["method", "paid_on"]
    search_fields = ["=invoice__number", "reference", "company__name"]
    list_select_related = ["invoice", "company"]


@admin.register(PaymentImport)
class PaymentImportAdmin(ReadOnlyAdmin):
    list_display = ["filename", "status", "rows", "total", "imported_by", "imported_at", "sha256"]
    list_filter = ["status"]
