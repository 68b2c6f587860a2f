from django.contrib import admin

from products.models import Item, Order, OrderLine, ProductSettings


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "price", "stock", "is_active"]
    list_filter = ["kind", "is_active"]
    exclude = ["image"]  # uploaded through the staff catalogue page, which checks the image
    # Changed only by movements (products.actions.adjust_stock), so the stock's history adds up to it.
    readonly_fields = ["stock"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ["subscription"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["__str__", "company", "state", "total", "placed_at"]
    list_filter = ["state"]
    inlines = [OrderLineInline]
    raw_id_fields = ["company", "placed_by", "decided_by"]


@admin.register(ProductSettings)
class ProductSettingsAdmin(admin.ModelAdmin):
    list_display = ["company", "approval_limit", "approve_phones", "zero_touch_provider"]
    raw_id_fields = ["company"]
