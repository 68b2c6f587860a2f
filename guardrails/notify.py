"""The guardrails' e-mails, through the outbox, in the reader's language.

The outbox has no SMS channel (yet): warnings go by e-mail only, to the admins and to the employee.
When an SMS channel exists, ``send`` is the one place to add it.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from common import formats
from companies.models import Membership
from guardrails import rules
from subscriptions.models import Subscription

SMS_CHANNEL = False  # the outbox sends e-mail only; see the module's docstring
ASK_SALT = "guardrails.ask"
DECIDE_SALT = "guardrails.decide"
DECIDE_MAX_AGE = 7 * 24 * 3600


def link(url_name: str, *args: object) -> str:
    return settings.PORTAL_BASE_URL + reverse(url_name, args=args)


def metric_label(metric: str) -> str:
    """The rule's name in the active language."""
    if metric == rules.SPEND:
        return _("monthly spend")
    if metric == rules.DATA:
        return _("mobile data")
    if metric == rules.PREMIUM:
        return _("premium-rate services")
    zone = metric.removeprefix("roaming:")
    return _("roaming %(zone)s") % {"zone": rules.ZONES.get(zone, zone)}


def amount_text(metric: str, value: int) -> str:
    return formats.data_volume(value) if rules.metric_unit(metric) == "mb" else formats.money(value)


def ask_token(sub: Subscription, *, month: dt.date, metric: str) -> str:
    return signing.dumps({"s": sub.pk, "m": month.isoformat(), "k": metric}, salt=ASK_SALT, compress=True)


def decide_token(request_id: int, user_id: int, nonce: str) -> str:
    return signing.dumps({"r": request_id, "u": user_id, "n": nonce}, salt=DECIDE_SALT, compress=True)


def members(company_id: int) -> list[Membership]:
    """The company's active members with their users: one query, for ``admins(..., among=...)`` in a loop."""
    return list(Membership.objects.filter(company_id=company_id, user__is_active=True).select_related("user"))


def admins(company_id: int, cost_centre: str, *, among: list[Membership] | None = None) -> list[Membership]:
    """The company's admins with full access to the Subscriptions area who reach a line of ``cost_centre`` (all
    of the company, or limited to cost centres including it): they get the warnings and decide raises.
    ``among``: the company's ``members`` loaded before (no query)."""
    rows = members(company_id) if among is None else among
    return [m for m in rows if m.may_change_line("subscriptions", cost_centre) and m.user.email]


def _mail(*, to: str, language: str, subject: str, lines: list[str], url: str = "", **params: Any) -> None:
    with translation.override(language):
        params = {k: (v() if callable(v) else v) for k, v in params.items()}
        body = render_to_string(
            "accounts/email/admins_notice.txt", {"lines": [_(line) % params for line in lines], "url": url}
        )
        send_mail(_(subject) % params, body, settings.DEFAULT_FROM_EMAIL, [to])


def _facts(sub: Subscription, metric: str, used: int, limit: int) -> dict[str, Any]:
    # Callables, so each is formatted inside the reader's language.
    return {
        "user": sub.user_name,
        "number": lambda: formats.phone(sub.phone_number) if sub.phone_number else sub.user_name,
        "rule": lambda: metric_label(metric),
        "used": lambda: amount_text(metric, used),
        "limit": lambda: amount_text(metric, limit),
    }


def threshold_recipients(sub: Subscription, to_admins: list[Membership]) -> list[str]:
    """Who ``threshold_crossed`` e-mails: ``to_admins`` (from ``admins``), then the employee."""
    sent = [membership.user.email for membership in to_admins]
    return [*sent, sub.email] if sub.email and sub.email not in sent else sent


def threshold_crossed(
    sub: Subscription, *, month: dt.date, crossing: rules.Crossing, to_admins: list[Membership] | None = None
) -> list[str]:
    """The 80 % warning or the 100 % bar notice to the admins (``admins(company, cost centre)`` unless given) and the
    employee; returns the addresses."""
    barred = crossing.threshold >= rules.BAR_PERCENT
    facts = _facts(sub, crossing.metric, crossing.used, crossing.limit)
    if barred:
        subject = gettext_noop("%(number)s is barred for %(rule)s this month")
        lines = [
            gettext_noop("%(user)s (%(number)s) has reached the limit for %(rule)s: %(used)s of %(limit)s."),
            gettext_noop("The service is barred until the month ends or the limit is raised."),
        ]
    else:
        subject = gettext_noop("%(number)s has used 80 %% of the limit for %(rule)s")
        lines = [
            gettext_noop("%(user)s (%(number)s) has used %(used)s of %(limit)s for %(rule)s this month."),
            gettext_noop("At the limit the service is barred until the month ends."),
        ]
    sent: list[str] = []
    for membership in admins(sub.company_id, sub.cost_centre) if to_admins is None else to_admins:
        _mail(
            to=membership.user.email,
            language=membership.user.language,
            subject=subject,
            lines=[*lines, gettext_noop("Why and when: the line's guardrail timeline.")],
            url=link("guardrails:timeline", sub.pk),
            **facts,
        )
        sent.append(membership.user.email)
    if sub.email and sub.email not in sent:
        ask = link("guardrail_links:ask", ask_token(sub, month=month, metric=crossing.metric))
        _mail(
            to=sub.email,
            language=sub.company.invoice_language,
            subject=subject,
            lines=[*lines, gettext_noop("Need more this month? Ask your admin for a temporary raise:")],
            url=ask,
            **facts,
        )
        sent.append(sub.email)
    return sent


def raise_requested(raise_request: object, tokens: Iterable[tuple[Membership, str]]) -> None:
    from guardrails.models import RaiseRequest

    assert isinstance(raise_request, RaiseRequest)
    sub = raise_request.subscription
    for membership, token in tokens:
        _mail(
            to=membership.user.email,
            language=membership.user.language,
            subject=gettext_noop("%(user)s asks for a temporary raise of %(rule)s"),
            lines=[
                gettext_noop("%(user)s (%(number)s) asks for %(amount)s more %(rule)s for the rest of this month."),
                gettext_noop("Reason: %(reason)s"),
                gettext_noop("Open the link to approve or refuse (the link works for 7 days):"),
            ],
            url=link("guardrail_links:decide", token),
            amount=lambda: amount_text(raise_request.metric, raise_request.amount),
            reason=raise_request.reason,
            **_facts(sub, raise_request.metric, 0, 0),
        )


def raise_decided(raise_request: object) -> None:
    from guardrails.models import RaiseRequest

    assert isinstance(raise_request, RaiseRequest)
    sub = raise_request.subscription
    if not sub.email:
        return
    approved = raise_request.status == RaiseRequest.Status.APPROVED
    _mail(
        to=sub.email,
        language=sub.company.invoice_language,
        subject=(
            gettext_noop("Your raise of %(rule)s was approved")
            if approved
            else gettext_noop("Your raise of %(rule)s was refused")
        ),
        lines=[
            gettext_noop("You get %(amount)s more %(rule)s until the month ends; the bar is lifted.")
            if approved
            else gettext_noop("Your admin refused the raise of %(amount)s %(rule)s.")
        ],
        amount=lambda: amount_text(raise_request.metric, raise_request.amount),
        **_facts(sub, raise_request.metric, 0, 0),
    )
