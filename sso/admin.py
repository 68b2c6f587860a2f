from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.actor import Actor
from sso import actions
from sso.models import SsoConfiguration, SsoDomain


class SsoConfigurationForm(forms.ModelForm):
    client_secret = forms.CharField(
        label=_("client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the stored secret."),
    )

    class Meta:
        model = SsoConfiguration
        fields = ["company", "server_url", "client_id", "required", "enabled"]


@admin.register(SsoConfiguration)
class SsoConfigurationAdmin(admin.ModelAdmin):
    form = SsoConfigurationForm
    list_display = ["company", "server_url", "client_id", "required", "enabled"]
    search_fields = ["company__name", "server_url"]

    def save_model(self, request: HttpRequest, obj: SsoConfiguration, form: forms.ModelForm, change: bool) -> None:
        # Through the action: the secret encrypted, the change audited.
        saved = actions.configure(
            form.cleaned_data["company"],
            server_url=obj.server_url,
            client_id=obj.client_id,
            client_secret=form.cleaned_data["client_secret"] or None,
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
