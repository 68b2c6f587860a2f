from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from audit.actor import Actor
from audit.events import record
from companies.models import Company, Membership, normalise_cost_centres
from registry.areas import registry


class MembershipForm(forms.ModelForm):
    areas = forms.MultipleChoiceField(choices=registry.choices, widget=forms.CheckboxSelectMultiple, required=False)
    read_only_areas = forms.MultipleChoiceField(
        choices=registry.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Granted areas the admin may only see (the others: full). Access 'read only' makes every area read-only.",
    )
    cost_centres = forms.CharField(
        required=False,
        help_text="Comma-separated; empty: the whole company. Limited admins reach Subscriptions and Invoices only.",
    )

    class Meta:
        model = Membership
        fields = ["user", "company", "access", "areas", "read_only_areas", "cost_centres"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["cost_centres"] = ", ".join(self.instance.cost_centres)

    def clean_cost_centres(self) -> list[str]:
        value = self.cleaned_data.get("cost_centres") or ""
        centres = normalise_cost_centres(value.split(","))
        if any(len(c) > 40 for c in centres):
            raise forms.ValidationError("A cost centre has at most 40 characters.")
        return centres


def _audit_membership(request: HttpRequest, membership: Membership, change: bool) -> None:
    record(
        "membership.changed" if change else "membership.created",
        by=Actor.from_request(request),
        company=membership.company,
        target=membership,
        details={
            "user": membership.user.email,
            "access": membership.access,
            "areas": membership.areas,
            "read_only_areas": membership.read_only_areas,
            "cost_centres": membership.cost_centres,
        },
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "cvr", "ean", "city", "parent", "require_mfa")
    search_fields = ("name", "cvr", "ean")
    list_filter = ("require_mfa", "invoice_language")
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]

    def save_model(self, request: HttpRequest, obj: Company, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record(
            "company.changed" if change else "company.created",
            by=Actor.from_request(request),
            company=obj,
            target=obj,
            details={"fields": sorted(form.changed_data)},
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        for deleted in formset.deleted_objects:
            record(
                "membership.deleted",
                by=Actor.from_request(request),
                company=deleted.company,
                target=deleted,
                details={"user": deleted.user.email},
            )
            deleted.delete()
        for instance in instances:
            is_change = instance.pk is not None
            instance.save()
            _audit_membership(request, instance, is_change)
        formset.save_m2m()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ("user", "company", "access", "area_list")
    list_filter = ("access",)
    search_fields = ("user__email", "company__name", "company__cvr")
    list_select_related = ("user", "company")
    autocomplete_fields = ["user", "company"]

    @admin.display(description="areas")
    def area_list(self, obj: Membership) -> str:
        return ", ".join(str(a.title) for a in obj.granted_areas())

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _audit_membership(request, obj, change)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        record(
            "membership.deleted",
            by=Actor.from_request(request),
            company=obj.company,
            target=obj,
            details={"user": obj.user.email},
        )
        super().delete_model(request, obj)
