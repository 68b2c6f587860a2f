from django.contrib import admin
from django.http import HttpRequest

from api.models import APIClient, ProductOrder, WebhookDelivery, WebhookHub


@admin.register(APIClient)
class APIClientAdmin(admin.ModelAdmin):
    """For staff to see a company's clients: made, renewed and revoked by the company's admins in the portal."""

    list_display = ("name", "company", "key_prefix", "access", "last_used_at", "revoked_at")
    list_filter = ("access",)
    search_fields = ("name", "key_prefix", "company__name")
    readonly_fields = (
        "company",
        "name",
        "user",
        "access",
        "areas",
        "key_prefix",
        "created_by",
        "created_at",
        "rotated_at",
        "revoked_at",
        "last_used_at",
    )
    exclude = ("secret_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ProductOrder)
class ProductOrderAdmin(admin.ModelAdmin):
    list_display = ("created_at", "company", "client", "action", "subscription", "effective_date")
    list_filter = ("action",)
    readonly_fields = (
        "company",
        "client",
        "action",
        "subscription",
        "target_code",
        "requested_date",
        "effective_date",
        "description",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookHub)
class WebhookHubAdmin(admin.ModelAdmin):
    """For staff to see who listens where; the signing secret is never shown (not even encrypted)."""

    list_display = ("callback", "company", "client", "api", "created_at", "deleted_at")
    list_filter = ("api",)
    search_fields = ("callback", "company__name", "client__name")
    readonly_fields = ("company", "client", "api", "callback", "query", "event_types", "created_at", "deleted_at")
    exclude = ("secret_encrypted",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "company", "hub", "event", "status", "tries", "next_attempt_at", "last_error")
    list_filter = ("status",)
    list_select_related = ("company", "hub", "event")
    readonly_fields = (
        "company",
        "hub",
        "event",
        "status",
        "tries",
        "next_attempt_at",
        "delivered_at",
        "last_error",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
