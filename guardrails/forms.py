from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from guardrails import rules
from guardrails.models import Policy


class LocalDecimalField(forms.DecimalField):
    """A number as the reader writes it: "1.234,50" in Danish, "1,234.50" in English (thousands optional)."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            decimal = str(get_format("DECIMAL_SEPARATOR"))
            thousands = "." if decimal == "," else ","
            value = "".join(value.split()).replace(thousands, "").replace(decimal, ".")
        return super().to_python(value)


def _dkk(label: Any, help_text: Any = "") -> forms.DecimalField:
    return LocalDecimalField(
        label=label, help_text=help_text, required=False, min_value=0, max_digits=12, decimal_places=2, localize=True
    )


def _to_ore(value: Decimal | None) -> int | None:
    return None if value is None else int(value * 100)


def _from_ore(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value) / 100


class PolicyForm(forms.Form):
    """One level's rules; an empty field means "as the level above"."""

    spend_cap = _dkk(_("Monthly spend cap (DKK excl. VAT)"), _("Use beyond the subscription fee, all services."))
    data_cap_gb = LocalDecimalField(
        label=_("Data cap (GB a month)"), required=False, min_value=0, max_digits=9, decimal_places=2, localize=True
    )
    roaming_eu = _dkk(_("Roaming cap in the EU/EEA (DKK excl. VAT a month)"))
    roaming_world = _dkk(
        _("Roaming cap outside the EU (DKK excl. VAT a month)"),
        _("Empty: the EU rule applies, the stop at 50 EUR excl. VAT a month."),
    )
    premium = forms.ChoiceField(label=_("Premium-rate services"), choices=Policy.Premium.choices, required=False)
    eu_rule_opt_out = forms.BooleanField(
        label=_("Opt this user out of the EU roaming limit"),
        required=False,
        help_text=_("Roaming outside the EU then has no stop unless a cap is set above. Recorded in the activity log."),
    )

    def __init__(self, *args: Any, scope: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if scope != Policy.Scope.USER:
            del self.fields["eu_rule_opt_out"]
        self.scope = scope

    @classmethod
    def initial_for(cls, policy: Policy | None) -> dict[str, Any]:
        if policy is None:
            return {}
        caps = policy.roaming_caps or {}
        return {
            "spend_cap": _from_ore(policy.spend_cap),
            "data_cap_gb": None if policy.data_cap_mb is None else Decimal(policy.data_cap_mb) / 1024,
            "roaming_eu": _from_ore(caps.get(rules.ZONE_EU)),
            "roaming_world": _from_ore(caps.get(rules.ZONE_NON_EU)),
            "premium": policy.premium,
            "eu_rule_opt_out": policy.eu_rule_opt_out,
        }

    def policy_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        caps = {}
        if data["roaming_eu"] is not None:
            caps[rules.ZONE_EU] = _to_ore(data["roaming_eu"])
        if data["roaming_world"] is not None:
            caps[rules.ZONE_NON_EU] = _to_ore(data["roaming_world"])
        gb = data["data_cap_gb"]
        return {
            "spend_cap": _to_ore(data["spend_cap"]),
            "data_cap_mb": None if gb is None else int(gb * 1024),
            "roaming_caps": caps,
            "premium": data["premium"] or "",
            "eu_rule_opt_out": bool(data.get("eu_rule_opt_out")),
        }


class CostCentreForm(forms.Form):
    cost_centre = forms.CharField(label=_("Cost centre"), max_length=40)


class RaiseForm(forms.Form):
    metric = forms.ChoiceField(label=_("What you need more of"))
    amount = LocalDecimalField(
        label=_("How much more (DKK excl. VAT, or GB for data)"),
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
        localize=True,
    )
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, metrics: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metrics  # type: ignore[attr-defined]

    def amount_in_units(self) -> int:
        value: Decimal = self.cleaned_data["amount"]
        return int(value * 1024) if rules.metric_unit(self.cleaned_data["metric"]) == "mb" else int(value * 100)
