from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tickets.models import Ticket, TicketAttachment, TicketMessage, TicketStatusChange


class MessageInline(admin.TabularInline):
    model = TicketMessage
    extra = 0
    fields = ("created_at", "author_name", "from_staff", "is_internal", "body")
    readonly_fields = ("created_at", "author_name", "from_staff")


class AttachmentInline(admin.TabularInline):
    model = TicketAttachment
    extra = 0
    fields = ("original_name", "content_type", "size", "is_internal", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Uploads go through the portal, where their content is checked.
        return False


class StatusChangeInline(admin.TabularInline):
    model = TicketStatusChange
    extra = 0
    fields = ("created_at", "from_status", "to_status", "reason", "changed_by", "by_staff")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Status changes go through the staff queue, which checks the transitions.
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("number", "subject", "company", "category", "priority", "status", "assignee", "last_activity_at")
    list_filter = ("status", "category", "priority")
    search_fields = ("number", "subject", "company__name", "company__cvr")
    list_select_related = ("company", "assignee")
    raw_id_fields = (
        "company",
        "related_subscription",
        "related_invoice",
        "related_port_request",
        "created_by",
        "assignee",
    )
    readonly_fields = (
        "number",
        "status",
        "status_changed_at",
        "status_reason",
        "created_at",
        "last_activity_at",
        "last_staff_reply_at",
    )
    inlines = [MessageInline, AttachmentInline, StatusChangeInline]
    date_hierarchy = "created_at"


@admin.register(TicketMessage)
class TicketMessageAdmin(admin.ModelAdmin):
    list_display = ("ticket", "author_name", "from_staff", "is_internal", "created_at")
    list_filter = ("from_staff", "is_internal")
    search_fields = ("ticket__number", "body")
    raw_id_fields = ("ticket", "company", "author")
