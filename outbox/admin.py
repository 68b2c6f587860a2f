from django.contrib import admin
from django.http import HttpRequest

from outbox.models import OutboxAttempt, OutboxMessage


class AttemptInline(admin.TabularInline):
    model = OutboxAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("started_at", "finished_at", "result", "error")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "subject", "status", "permanent", "attempts", "next_attempt_at")
    list_filter = ("status", "permanent", "kind")
    search_fields = ("subject", "message_id", "to")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    inlines = [AttemptInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
