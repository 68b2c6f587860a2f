from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.actor import Actor
from sso import actions
from sso.forms import SsoConfigurationForm
from sso.models import SsoConfiguration, SsoDomain


@admin.register(SsoConfiguration)
class SsoConfigurationAdmin(admin.ModelAdmin):
    form = SsoConfigurationForm
    list_display = ["company", "protocol", "identity_provider", "required", "enabled"]
    list_filter = ["protocol", "required", "enabled"]
    search_fields = ["company__name", "server_url", "saml_entity_id"]
    fieldsets = [
        (None, {"fields": ["company", "protocol", "required", "enabled", "trust_idp_mfa", "mfa_contexts"]}),
        (_("OpenID Connect"), {"fields": ["server_url", "client_id", "client_secret"]}),
        (
            _("SAML 2.0"),
            {
                "fields": [
                    "saml_entity_id",
                    "saml_sso_url",
                    "saml_certificate",
                    "saml_metadata_xml",
                    "saml_metadata_url",
                    "saml_email_attribute",
                ]
            },
        ),
    ]

    def save_model(self, request: HttpRequest, obj: SsoConfiguration, form: forms.ModelForm, change: bool) -> None:
        # Through the action: the secret encrypted, the change audited (the staff may set "required" directly).
        assert isinstance(form, SsoConfigurationForm)
        saved = actions.configure(
            form.cleaned_data["company"],
            **form.settings(),
            required=obj.required,
            enabled=obj.enabled,
            by=Actor.from_request(request),
        )
        obj.pk = saved.pk


@admin.register(SsoDomain)
class SsoDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "company", "txt_record", "verified_at", "checked_at"]
    search_fields = ["domain", "company__name"]
    readonly_fields = ["txt_record", "verified_at", "checked_at"]
    actions = ["check_now"]

    @admin.action(description=_("Check now (DNS TXT record)"))
    def check_now(self, request: HttpRequest, queryset: QuerySet[SsoDomain]) -> None:
        for claimed in queryset:
            if actions.check_domain(claimed, by=Actor.from_request(request)):
                self.message_user(request, _("%(domain)s is verified.") % {"domain": claimed.domain})
            else:
                self.message_user(
                    request,
                    _("%(domain)s: the TXT record %(record)s was not found.")
                    % {"domain": claimed.domain, "record": claimed.txt_record},
                    messages.WARNING,
                )
