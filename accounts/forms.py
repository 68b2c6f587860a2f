from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "language"]
        labels = {"first_name": _("First name"), "last_name": _("Last name")}
