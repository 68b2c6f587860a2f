from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.actor import Actor
from sso import actions, saml
from sso.models import SsoConfiguration, SsoDomain

OIDC_FIELDS = ("server_url", "client_id")
SAML_FIELDS = ("saml_entity_id", "saml_sso_url", "saml_certificate")


class SsoConfigurationForm(forms.ModelForm):
    client_secret = forms.CharField(
        label=_("client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the stored secret."),
    )
    saml_metadata_xml = forms.CharField(
        label=_("IdP metadata XML"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Paste the identity provider's metadata instead of the three fields above; it is read once."),
    )

    class Meta:
        model = SsoConfiguration
        fields = [
            "company",
            "protocol",
            "server_url",
            "client_id",
            "saml_entity_id",
            "saml_sso_url",
            "saml_certificate",
            "saml_metadata_url",
            "saml_email_attribute",
            "required",
            "enabled",
        ]
        widgets = {"protocol": forms.RadioSelect, "saml_certificate": forms.Textarea(attrs={"rows": 4})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("protocol") == SsoConfiguration.Protocol.SAML:
            self._clean_saml(data)
        else:
            for name in OIDC_FIELDS:
                if not data.get(name):
                    self.add_error(name, _("Needed for OpenID Connect."))
        return data

    def _clean_saml(self, data: dict[str, Any]) -> None:
        xml = data.get("saml_metadata_xml") or ""
        if not xml and data.get("saml_metadata_url"):
            try:
                xml = saml.fetch_metadata(data["saml_metadata_url"])
            except Exception:  # noqa: BLE001 (any network or HTTP error is the admin's to see)
                self.add_error("saml_metadata_url", _("The metadata could not be read from this URL."))
                return
        if xml:
            try:
                parsed = saml.parse_metadata(xml)
            except ValueError:
                field = "saml_metadata_xml" if data.get("saml_metadata_xml") else "saml_metadata_url"
                self.add_error(
                    field,
                    _("This is not an identity provider's metadata with a sign-in URL and a signing certificate."),
                )
                return
            data["saml_entity_id"], data["saml_sso_url"] = parsed["entity_id"], parsed["sso_url"]
            data["saml_certificate"] = parsed["certificate"]
        for name in SAML_FIELDS:
            if not data.get(name):
                self.add_error(name, _("Needed for SAML (or give the metadata)."))
        if data.get("saml_certificate"):
            try:
                data["saml_certificate"] = saml.normalise_certificate(data["saml_certificate"])
            except ValueError:
                self.add_error("saml_certificate", _("This is not an X.509 certificate (PEM)."))


@admin.register(SsoConfiguration)
class SsoConfigurationAdmin(admin.ModelAdmin):
    form = SsoConfigurationForm
    list_display = ["company", "protocol", "identity_provider", "required", "enabled"]
    list_filter = ["protocol", "required", "enabled"]
    search_fields = ["company__name", "server_url", "saml_entity_id"]
    fieldsets = [
        (None, {"fields": ["company", "protocol", "required", "enabled"]}),
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
        # Through the action: the secret encrypted, the change audited.
        data = form.cleaned_data
        saml_idp = None
        if data["protocol"] == SsoConfiguration.Protocol.SAML:
            saml_idp = actions.SamlIdp(
                entity_id=data["saml_entity_id"],
                sso_url=data["saml_sso_url"],
                certificate=data["saml_certificate"],
                metadata_url=data.get("saml_metadata_url") or "",
                email_attribute=data.get("saml_email_attribute") or "",
            )
        saved = actions.configure(
            data["company"],
            protocol=data["protocol"],
            server_url=data.get("server_url") or "",
            client_id=data.get("client_id") or "",
            client_secret=data["client_secret"] or None,
            saml=saml_idp,
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
