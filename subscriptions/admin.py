from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from common import formats
from subscriptions.models import AddOn, BulkJob, NumberPool, OneOffFee, Product, SimOrder, Subscription


def _kr(ore: int | None) -> str:
    return formats.money(ore) if ore is not None else ""


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "name_da", "kind", "data_gb", "price", "binding_months", "notice_days", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "name_da", "code"]
    filter_horizontal = ["allowed_changes"]
    fieldsets = [
        (None, {"fields": ["code", "kind", "is_active", "sort_order"]}),
        (_("Name and description"), {"fields": ["name", "name_da", "description", "description_da"]}),
        (
            _("Price and terms"),
            {"fields": ["data_gb", "monthly_price", "binding_months", "notice_days", "allowed_changes"]},
        ),
    ]
    prepopulated_fields = {"code": ["name"]}

    @admin.display(description=_("monthly price"), ordering="monthly_price")
    def price(self, obj: Product) -> str:
        return _kr(obj.monthly_price)


@admin.register(AddOn)
class AddOnAdmin(admin.ModelAdmin):
    list_display = ["name", "name_da", "price", "is_active"]
    search_fields = ["name", "name_da", "code"]
    filter_horizontal = ["products"]

    @admin.display(description=_("monthly price"), ordering="monthly_price")
    def price(self, obj: AddOn) -> str:
        return _kr(obj.monthly_price)


@admin.register(OneOffFee)
class OneOffFeeAdmin(admin.ModelAdmin):
    list_display = ["name", "name_da", "code", "fee"]

    @admin.display(description=_("price"), ordering="price")
    def fee(self, obj: OneOffFee) -> str:
        return _kr(obj.price)


@admin.register(NumberPool)
class NumberPoolAdmin(admin.ModelAdmin):
    list_display = ["phone_number", "reserved_for", "taken_at"]
    list_filter = [("reserved_for", admin.EmptyFieldListFilter)]
    search_fields = ["phone_number"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    # Staff look subscriptions up across companies; PIN/PUK are never shown here.
    list_display = ["user_name", "phone_number", "product", "status", "company"]
    list_filter = ["status", "product"]
    search_fields = ["user_name", "email", "phone_number", "iccid"]
    list_select_related = ["product", "company"]
    raw_id_fields = ["company", "product", "scheduled_product"]
    show_full_result_count = False
    exclude = ["add_ons"]


@admin.register(SimOrder)
class SimOrderAdmin(admin.ModelAdmin):
    list_display = ["subscription", "kind", "blocked_iccid", "created_at"]
    list_select_related = ["subscription"]
    raw_id_fields = ["subscription", "company"]


@admin.register(BulkJob)
class BulkJobAdmin(admin.ModelAdmin):
    """For staff looking into a customer's bulk update; read-only, the task is the only writer."""

    list_display = ["__str__", "company", "status", "total", "changed", "failure", "created_by_label", "created_at"]
    list_filter = ["status", "action"]
    list_select_related = ["company"]
    search_fields = ["company__name", "created_by_label"]
    exclude = ["subscription_ids"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
