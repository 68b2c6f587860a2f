"""The "Create new subscription" guide's rules: its steps, the draft it keeps in the session, and the answer
each step records. The view (``subscriptions.views.create``) only binds a step's form and shows the page.

The draft is a dict in the session, one per company: ``{"token": ..., "user": {...}, "product": {...},
"number": {...}, "sim": {...}}``; a step's answer is its form's cleaned data in JSON-safe form.
"""

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.actor import Actor
from companies.models import Company
from registry.scoping import cost_centre_limit
from subscriptions import actions
from subscriptions.forms import NumberStepForm, ProductStepForm, SimStepForm, UserStepForm
from subscriptions.models import AddOn, OneOffFee, Product, Subscription

STEPS = ["user", "product", "number", "sim", "summary"]
STEP_TITLES = {
    "user": gettext_lazy("User"),
    "product": gettext_lazy("Subscription type"),
    "number": gettext_lazy("Number"),
    "sim": gettext_lazy("SIM card"),
    "summary": gettext_lazy("Summary"),
}
FORMS: dict[str, type[forms.Form]] = {
    "user": UserStepForm,
    "product": ProductStepForm,
    "number": NumberStepForm,
    "sim": SimStepForm,
}


def serialise(cleaned: dict[str, Any]) -> dict[str, Any]:
    """A form's cleaned data as the session can keep it: objects by primary key, dates as ISO text."""
    out: dict[str, Any] = {}
    for key, value in cleaned.items():
        if isinstance(value, Product):
            out[key] = value.pk
        elif hasattr(value, "values_list"):  # a queryset of add-ons
            out[key] = list(value.values_list("pk", flat=True))
        elif isinstance(value, list):
            out[key] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, datetime.date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


def _is_landline(product: Product | None) -> bool:
    return product is not None and product.kind == Product.Kind.LANDLINE


def new_subscription(draft: dict[str, Any]) -> actions.NewSubscription:
    """The subscription a complete draft describes (what the summary shows and the last step creates)."""
    product = Product.objects.get(pk=draft["product"]["product"])
    add_ons = list(AddOn.objects.filter(pk__in=draft["product"].get("add_ons", [])))
    sim = draft.get("sim", {}) if not _is_landline(product) else {}
    number = draft["number"]
    return actions.NewSubscription(
        user_name=draft["user"]["user_name"],
        email=draft["user"].get("email", ""),
        cost_centre=draft["user"].get("cost_centre", ""),
        product=product,
        add_ons=add_ons,
        number_choice=number["choice"],
        phone_number=number["phone_number"],
        port_operator=number.get("port_operator", "") if number["choice"] == "port" else "",
        sim_choice=sim.get("choice", ""),
        iccid=sim.get("iccid", ""),
        ship_to=sim.get("ship_to", ""),
        port_signed_name=number.get("signed_name", ""),
        port_signed_at=datetime.datetime.fromisoformat(number["signed_at"]) if number.get("signed_at") else None,
        port_signed_ip=number.get("signed_ip") or None,
    )


def fees(new: actions.NewSubscription) -> list[OneOffFee]:
    return actions.guide_fees(new.sim_choice)


@dataclass
class Guide:
    """One company's guide in one browser session."""

    session: SessionBase
    company: Company

    @property
    def key(self) -> str:
        return f"subscriptions:draft:{self.company.pk}"

    @property
    def draft(self) -> dict[str, Any]:
        """The draft, started (with a fresh confirmation token) when there is none."""
        draft = self.session.get(self.key)
        if not draft:
            draft = {"token": uuid.uuid4().hex}
            self.session[self.key] = draft
        return draft

    def restart(self) -> None:
        self.session.pop(self.key, None)

    def created_by(self, token: str) -> Subscription | None:
        """The subscription an earlier confirmation of the guide with ``token`` created, if any."""
        return Subscription.objects.for_company(self.company).filter(order_token=token).first()

    def product(self) -> Product | None:
        return Product.objects.filter(pk=self.draft.get("product", {}).get("product")).first()

    def steps(self) -> list[str]:
        """The steps of this draft: a landline has no SIM card step."""
        if _is_landline(self.product()):
            return [s for s in STEPS if s != "sim"]
        return STEPS

    def step_to_show(self, step: str) -> str:
        """``step`` when it may be shown now; otherwise the step to go to (an unknown step, or one whose
        earlier steps are not answered yet)."""
        steps = self.steps()
        if step not in steps:
            return steps[-2]
        for earlier in steps[: steps.index(step)]:
            if earlier not in self.draft:
                return earlier
        return step

    def form_kwargs(self, step: str) -> dict[str, Any]:
        if step == "user":
            # An admin limited to cost centres chooses one of theirs (create_subscription checks it again).
            return {"cost_centres": cost_centre_limit(self.company)}
        if step != "number":
            return {}
        product = self.product()
        return {"product_kind": product.kind if product else ""}

    def form(self, step: str, data: Any = None) -> forms.Form:
        """The step's form: bound to ``data`` when given, else filled with the step's earlier answer."""
        if data is not None:
            return FORMS[step](data, **self.form_kwargs(step))
        initial = dict(self.draft.get(step) or {})
        initial.pop("consent", None)  # consent is given afresh each time the step is answered
        return FORMS[step](initial=initial, **self.form_kwargs(step))

    def answer(self, step: str, cleaned: dict[str, Any], *, by: Actor) -> str:
        """Records a step's valid answer and returns the next step."""
        draft = self.draft
        was_landline = _is_landline(self.product())
        draft[step] = serialise(cleaned)
        if step == "product":
            self._product_changed(draft, was_landline=was_landline, is_landline=_is_landline(cleaned["product"]))
        if step == "number" and cleaned["choice"] == "port":
            # The porting authorisation is signed now: record when, and from where (like the Numbers area).
            draft[step]["signed_at"] = timezone.now().isoformat()
            draft[step]["signed_ip"] = by.ip_address
        self.session.modified = True
        steps = self.steps()
        return steps[steps.index(step) + 1]

    @staticmethod
    def _product_changed(draft: dict[str, Any], *, was_landline: bool, is_landline: bool) -> None:
        if is_landline:
            # A landline has no SIM: forget an answer from an earlier choice of type.
            draft.pop("sim", None)
        if was_landline != is_landline and draft.get("number", {}).get("choice") == "port":
            # A number kept from another operator must match the type (landline or mobile): ask again.
            draft.pop("number", None)

    def confirm(self, new: actions.NewSubscription, *, token: str, by: Actor) -> Subscription:
        """Creates ``new`` (the subscription the draft describes, see ``new_subscription``) and ends the guide.

        ``token`` is the one the summary page showed: another window that changed the draft since is refused.
        """
        draft = self.draft
        if token != draft["token"]:
            raise ValidationError(
                _("This guide was changed in another window. Check the summary and confirm again."),
                code="guide_changed",
            )
        sub = actions.create_subscription(company=self.company, data=new, order_token=draft["token"], by=by)
        self.restart()
        return sub
