from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from numbering.models import CallFlowVersion, PhoneNumber, PortComment, PortEvent, PortNumber, PortRequest


@admin.register(PhoneNumber)
class PhoneNumberAdmin(admin.ModelAdmin):
    list_display = ("number", "series_end", "kind", "status", "company", "label")
    list_filter = ("kind", "status")
    search_fields = ("number", "company__name", "label")
    list_select_related = ("company",)
    raw_id_fields = ("company", "port_request")


class PortNumberInline(admin.TabularInline):
    model = PortNumber
    extra = 0


class PortEventInline(admin.TabularInline):
    model = PortEvent
    extra = 0
    readonly_fields = ("previous_status", "new_status", "reason", "user", "actor_label", "created_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PortCommentInline(admin.TabularInline):
    model = PortComment
    extra = 0
    readonly_fields = ("author", "author_label", "created_at")


@admin.register(PortRequest)
class PortRequestAdmin(admin.ModelAdmin):
    """Status changes go through the staff pages (/numbers/staff/), which keep the timeline and e-mails."""

    list_display = (
        "reference",
        "company",
        "kind",
        "status",
        "current_operator",
        "desired_date",
        "scheduled_at",
        "created_at",
    )
    list_filter = ("status", "kind", "current_operator")
    search_fields = ("company__name", "cvr", "customer_number", "numbers__number")
    list_select_related = ("company",)
    raw_id_fields = ("company", "created_by", "signed_by", "subscription")
    readonly_fields = ("status", "signed_name", "signed_at", "signed_by", "signed_ip", "created_at", "updated_at")
    inlines = [PortNumberInline, PortEventInline, PortCommentInline]


@admin.register(CallFlowVersion)
class CallFlowVersionAdmin(admin.ModelAdmin):
    list_display = ("company", "version", "created_by", "created_at", "comment")
    search_fields = ("company__name",)
    list_select_related = ("company", "created_by")
    raw_id_fields = ("company", "created_by")
    readonly_fields = ("created_at",)
