from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest

from accounts import actions
from accounts.models import User
from audit.actor import Actor
from companies.admin import MembershipInline


class UserMembershipInline(MembershipInline):
    fk_name = "user"  # a membership also names who granted it


class StaffUserChangeForm(UserChangeForm):
    def clean_email(self) -> str:
        # Case-insensitive uniqueness with a clear message, not a 500 from the database.
        return actions.validate_login_email(self.cleaned_data["email"], user=self.instance)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = StaffUserChangeForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "language", "is_staff", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "language")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "language", "password1", "password2")}),)
    inlines = [UserMembershipInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Only superusers make someone operator staff.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return readonly

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # A new login e-mail goes through the audited action.
        new_email = obj.email
        if change and "email" in form.changed_data:
            obj.email = form.initial["email"]
        super().save_model(request, obj, form, change)
        if obj.email != new_email:
            actions.change_login_email(obj, email=new_email, by=Actor.from_request(request))
