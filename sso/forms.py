"""The sign-in and password-reset forms refuse a password where the company requires single sign-on."""

from typing import Any

from allauth.account.forms import LoginForm, ResetPasswordForm
from django import forms
from django.utils.translation import gettext_lazy as _

from sso.selectors import configuration_for_email


def sso_required_for(email: str) -> bool:
    from django.contrib.auth import get_user_model

    config = configuration_for_email(email)
    if config is None or not config.required:
        return False
    # Staff always keep their password and second factor, whatever the domain says.
    return not get_user_model().objects.filter(email__iexact=email, is_staff=True).exists()


PASSWORD_REFUSED = _(
    "Your company requires sign-in through its own identity provider: enter your e-mail address "
    "and choose Sign in, without a password."
)
RESET_REFUSED = _(
    "Your company requires sign-in through its own identity provider, so there is no password to reset here. "
    "Your IT department resets it."
)


class SsoLoginForm(LoginForm):
    def clean(self) -> dict[str, Any]:
        login = str(self.data.get("login", "")).strip()
        if login and sso_required_for(login):
            raise forms.ValidationError(PASSWORD_REFUSED)
        return super().clean()


class SsoResetPasswordForm(ResetPasswordForm):
    def clean_email(self) -> str:
        email = str(self.cleaned_data.get("email", "")).strip()
        if email and sso_required_for(email):
            raise forms.ValidationError(RESET_REFUSED)
        return str(super().clean_email())
