"""Guardrail writes: policies, the evaluation after a usage import, bars and lifts, raise requests.

Bars go through ``subscriptions.actions.set_blocks`` (the same path as an admin's service blocks on the
profile) as the system actor ``guardrails``; a block the admin set by hand is never switched off by a lift.
"""

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from companies.models import Company, Membership
from guardrails import notify, rules, usage_source
from guardrails.models import Bar, Notice, Policy, RaiseRequest
from subscriptions import actions as subscription_actions
from subscriptions.models import Subscription

GUARDRAILS = "guardrails"
POLICY_DEFAULTS: dict[str, Any] = {
    "spend_cap": None,
    "data_cap_mb": None,
    "roaming_caps": {},
    "premium": "",
    "eu_rule_opt_out": False,
}
POLICY_FIELDS = tuple(POLICY_DEFAULTS)


def system_actor() -> Actor:
    return Actor.system(GUARDRAILS)


def is_guardrails(by: Actor) -> bool:
    return by.user is None and by.label == GUARDRAILS


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def this_month() -> dt.date:
    return month_of(timezone.localdate())


# -- policies ----------------------------------------------------------------------------------------


def _scope_key(scope: str, cost_centre: str, subscription: Subscription | None) -> dict[str, Any]:
    if scope == Policy.Scope.COMPANY:
        return {"scope": scope, "cost_centre": "", "subscription": None}
    if scope == Policy.Scope.COST_CENTRE:
        name = " ".join(cost_centre.split())
        if not name:
            raise ValidationError(_("Name the cost centre."), code="cost_centre_missing")
        return {"scope": scope, "cost_centre": name[:40], "subscription": None}
    if scope == Policy.Scope.USER:
        if subscription is None:
            raise ValidationError(_("Choose the user."), code="user_missing")
        return {"scope": scope, "cost_centre": "", "subscription": subscription}
    raise ValidationError(_("Unknown scope."), code="scope_unknown")


@transaction.atomic
def save_policy(
    *,
    company: Company,
    scope: str,
    cost_centre: str = "",
    subscription: Subscription | None = None,
    data: Mapping[str, Any],
    by: Actor,
) -> Policy:
    """Creates or changes one level's rules; raising a cap lifts the bars under it at once (audited)."""
    key = _scope_key(scope, cost_centre, subscription)
    if subscription is not None and subscription.company_id != company.pk:
        raise ValidationError(_("Choose the user."), code="user_missing")
    if data.get("eu_rule_opt_out") and scope != Policy.Scope.USER:
        raise ValidationError(_("The EU roaming limit can be opted out of for one user only."), code="opt_out_scope")
    policy = Policy.objects.filter(company=company, **key).select_for_update().first()
    created = policy is None
    if policy is None:
        policy = Policy(company=company, **key)
    changes: dict[str, list[Any]] = {}
    for name in POLICY_FIELDS:
        old = POLICY_DEFAULTS[name] if created else getattr(policy, name)
        new = data.get(name, old)
        if old != new:
            changes[name] = [old, new]
        setattr(policy, name, new)
    if not changes and not created:
        return policy
    policy.save()
    details: dict[str, Any] = {"scope": scope, "changes": changes}
    if key["cost_centre"]:
        details["cost_centre"] = key["cost_centre"]
    if subscription is not None:
        details["subscription_id"] = subscription.pk
    record(
        "guardrails.policy_created" if created else "guardrails.policy_changed",
        by=by,
        company=company,
        target=policy,
        details=details,
    )
    if "eu_rule_opt_out" in changes:
        record(
            "guardrails.eu_opt_out" if policy.eu_rule_opt_out else "guardrails.eu_opt_in",
            by=by,
            company=company,
            target=subscription,
            details={"policy_id": policy.pk},
        )
    _after_rules_changed(company, by=by)
    return policy


@transaction.atomic
def delete_policy(policy: Policy, *, by: Actor) -> None:
    company = policy.company
    details = {
        "scope": policy.scope,
        "cost_centre": policy.cost_centre,
        "subscription_id": policy.subscription_id,
        "was": {name: getattr(policy, name) for name in POLICY_FIELDS},
    }
    record("guardrails.policy_deleted", by=by, company=company, target=policy, details=details)
    policy.delete()
    _after_rules_changed(company, by=by)


def _after_rules_changed(company: Company, *, by: Actor) -> None:
    """Lifts at once the bars whose new limit is above the use; lower caps bar on the next evaluation."""
    month = this_month()
    active = list(Bar.objects.filter(company=company, active=True, month=month).select_related("subscription"))
    if active:
        sub_ids = sorted({bar.subscription_id for bar in active})
        limits = limits_for(company, sub_ids, month)
        totals = usage_source.month_totals(company, sub_ids, month)
        for bar in active:
            limit = limits.get(bar.subscription_id, {}).get(bar.metric)
            used = totals.get(bar.subscription_id, rules.Totals()).used(bar.metric)
            if limit is None or (limit.limit > 0 and used < limit.limit):
                lift(bar, reason=Bar.Lift.CAP_RAISED, by=by)
    from guardrails.evaluations import schedule

    # Queued with the rules change (durable, coalesced with the imports' evaluations of this month).
    schedule(company_id=company.pk, month=month, all_lines=True)


# -- the limits of lines -----------------------------------------------------------------------------


def limits_for(company: Company, subscription_ids: Iterable[int], month: dt.date) -> dict[int, dict[str, rules.Limit]]:
    """Each line's limits this month: three queries, whatever the number of lines."""
    ids = list(subscription_ids)
    subs = list(Subscription.objects.filter(company=company, pk__in=ids).only("id", "cost_centre"))
    centres = {sub.cost_centre for sub in subs if sub.cost_centre}
    policies = list(
        Policy.objects.filter(company=company).filter(
            scope__in=[Policy.Scope.COMPANY, Policy.Scope.COST_CENTRE, Policy.Scope.USER]
        )
    )
    company_rule = next((p.as_rule() for p in policies if p.scope == Policy.Scope.COMPANY), None)
    by_centre = {p.cost_centre: p.as_rule() for p in policies if p.scope == Policy.Scope.COST_CENTRE}
    by_user = {
        p.subscription_id: p.as_rule() for p in policies if p.scope == Policy.Scope.USER and p.subscription_id in ids
    }
    raises: dict[int, dict[str, int]] = {}
    for row in RaiseRequest.objects.filter(
        company=company, month=month, status=RaiseRequest.Status.APPROVED, subscription_id__in=ids
    ).values_list("subscription_id", "metric", "amount"):
        per_sub = raises.setdefault(row[0], {})
        per_sub[row[1]] = per_sub.get(row[1], 0) + row[2]
    result: dict[int, dict[str, rules.Limit]] = {}
    for sub in subs:
        levels = [by_user.get(sub.pk), by_centre.get(sub.cost_centre) if sub.cost_centre in centres else None]
        chain = [rule for rule in [*levels, company_rule] if rule is not None]
        result[sub.pk] = rules.effective_limits(chain, raises=raises.get(sub.pk))
    return result


# -- evaluation after a usage import ----------------------------------------------------------------


def evaluate(
    *,
    company: Company,
    subscription_ids: Iterable[int],
    month: dt.date,
    totals: Mapping[int, rules.Totals] | None = None,
) -> dict[str, int]:
    """Warns at 80 % and bars at 100 % (each once per line, month, rule and limit), this month only; runs in
    the caller's transaction (a chunk of ``guardrails.evaluations.run``, off the usage import's). ``totals``
    default to the usage area's month-to-date figures."""
    ids = sorted(set(subscription_ids))
    month = month_of(month)
    # Late records of an earlier month count in that month's totals, but its limits are over: a bar set now
    # would hold into this month (until the next month start), and its warning would come too late.
    if not ids or month != this_month():
        return {"warned": 0, "barred": 0}
    if totals is None:
        totals = usage_source.month_totals(company, ids, month)
    limits = limits_for(company, ids, month)
    found = {
        sub_id: crossed
        for sub_id, sub_limits in limits.items()
        if (crossed := rules.crossings(totals.get(sub_id, rules.Totals()), sub_limits))
    }
    # Only the lines with a threshold reached are loaded (an import may touch every line of a large company).
    subs = Subscription.objects.filter(company=company, pk__in=list(found)).select_related("product", "company")
    warned = barred = 0
    if not found:
        return {"warned": warned, "barred": barred}
    # The notices written before (an earlier import this month): one query for them all, not one per line.
    sent_before = set(
        Notice.objects.filter(company=company, month=month, subscription_id__in=list(found)).values_list(
            "subscription_id", "metric", "threshold", "limit"
        )
    )
    company_members: list[Membership] | None = None
    for sub in subs:
        for crossing in found[sub.pk]:
            if (sub.pk, crossing.metric, crossing.threshold, crossing.limit) in sent_before:
                continue
            if company_members is None:
                company_members = notify.members(company.pk)
            admins = notify.admins(company.pk, sub.cost_centre, among=company_members)
            if not _first_notice(sub, month, crossing, admins=admins):
                continue
            if crossing.threshold >= rules.BAR_PERCENT:
                barred += bar(sub, month=month, crossing=crossing)
            else:
                warned += 1
    return {"warned": warned, "barred": barred}


def _first_notice(sub: Subscription, month: dt.date, crossing: rules.Crossing, *, admins: list[Membership]) -> bool:
    """Writes the threshold's notice and sends its e-mails, once: False when it was written before (the unique
    constraint decides, so two imports at once send one warning)."""
    # Premium switched off bars without a warning.
    sent_to = notify.threshold_recipients(sub, admins) if crossing.limit > 0 else []
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                company=sub.company,
                subscription=sub,
                month=month,
                metric=crossing.metric,
                threshold=crossing.threshold,
                limit=crossing.limit,
                used=crossing.used,
                sent_to=sent_to,
            )
    except IntegrityError:  # written before, or by a concurrent import a moment ago
        return False
    if sent_to:
        notify.threshold_crossed(sub, month=month, crossing=crossing, to_admins=admins)
    record(
        "guardrails.threshold_crossed",
        by=system_actor(),
        company=sub.company,
        target=sub,
        details={
            "metric": crossing.metric,
            "threshold": crossing.threshold,
            "used": crossing.used,
            "limit": crossing.limit,
            "sent_to": len(notice.sent_to),
        },
    )
    return True


def bar(sub: Subscription, *, month: dt.date, crossing: rules.Crossing) -> int:
    """Switches on the metric's service blocks through the profile's path; returns the blocks it holds."""
    if not (sub.is_open and sub.is_mobile):
        return 0
    held = 0
    for field in rules.blocks_for(crossing.metric):
        current = Subscription.objects.filter(company=sub.company, pk=sub.pk).values_list(field, flat=True).get()
        ours = Bar.objects.filter(
            company=sub.company, subscription=sub, block_field=field, active=True, took_over=True
        ).exists()
        _bar, created = Bar.objects.get_or_create(
            company=sub.company,
            subscription=sub,
            month=month,
            metric=crossing.metric,
            block_field=field,
            limit=crossing.limit,
            defaults={"used": crossing.used, "took_over": (not current) or ours},
        )
        if not created:
            continue
        if not current:
            subscription_actions.set_blocks(sub, blocks={field: True}, by=system_actor())
        held += 1
        record(
            "guardrails.barred",
            by=system_actor(),
            company=sub.company,
            target=sub,
            details={
                "metric": crossing.metric,
                "block": field,
                "limit": crossing.limit,
                "used": crossing.used,
                "already_blocked_by_hand": bool(current) and not ours,
            },
        )
    return held


@transaction.atomic
def lift(bar_row: Bar, *, reason: str, by: Actor) -> None:
    """Ends one bar; switches the block off only if a guardrail switched it on and no other bar holds it."""
    bar_row = Bar.objects.select_for_update().get(pk=bar_row.pk, company_id=bar_row.company_id)
    if not bar_row.active:
        return
    bar_row.active = False
    bar_row.lifted_at = timezone.now()
    bar_row.lift_reason = reason
    bar_row.lifted_by = by.display
    bar_row.save(update_fields=["active", "lifted_at", "lift_reason", "lifted_by"])
    sub = bar_row.subscription
    still_held = Bar.objects.filter(
        company_id=bar_row.company_id, subscription_id=sub.pk, block_field=bar_row.block_field, active=True
    ).exists()
    switched_off = False
    if bar_row.took_over and not still_held and reason != Bar.Lift.BY_HAND:
        current = Subscription.objects.filter(company_id=sub.company_id, pk=sub.pk).values_list(
            bar_row.block_field, flat=True
        )
        if current.get() and sub.is_open and sub.is_mobile:
            subscription_actions.set_blocks(sub, blocks={bar_row.block_field: False}, by=system_actor())
            switched_off = True
    record(
        "guardrails.lifted",
        by=by,
        company=sub.company,
        target=sub,
        details={
            "metric": bar_row.metric,
            "block": bar_row.block_field,
            "reason": reason,
            "block_switched_off": switched_off,
        },
    )


def blocks_changed_by_hand(sub: Subscription, *, changes: Mapping[str, list[bool]], by: Actor) -> None:
    """An admin switched a block off by hand while a guardrail held it: the bar ends (not set again this month
    at the same limit), so the guardrail never fights the admin."""
    if is_guardrails(by):
        return
    turned_off = [field for field, (_old, new) in changes.items() if not new]
    if not turned_off:
        return
    for bar_row in Bar.objects.filter(
        company_id=sub.company_id, subscription_id=sub.pk, block_field__in=turned_off, active=True
    ):
        lift(bar_row, reason=Bar.Lift.BY_HAND, by=by)


@transaction.atomic
def lift_past_months(*, today: dt.date | None = None) -> dict[str, int]:
    """At month start: lifts every bar of an earlier month and expires the raises asked then. Idempotent."""
    month = month_of(today or timezone.localdate())
    lifted = 0
    for bar_row in Bar.objects.unscoped().filter(active=True, month__lt=month).select_related("subscription"):
        lift(bar_row, reason=Bar.Lift.MONTH_END, by=system_actor())
        lifted += 1
    expired = 0
    # One save() each, not update(): the overview's kept card follows saves (few are pending at month end).
    for raise_request in RaiseRequest.objects.unscoped().filter(status=RaiseRequest.Status.PENDING, month__lt=month):
        raise_request.status = RaiseRequest.Status.EXPIRED
        raise_request.save(update_fields=["status"])
        expired += 1
    return {"lifted": lifted, "expired": expired}


# -- raise requests ----------------------------------------------------------------------------------


@transaction.atomic
def request_raise(*, subscription: Subscription, metric: str, amount: int, reason: str, by: Actor) -> RaiseRequest:
    """The employee asks for ``amount`` more of one rule until the month ends; e-mails the admins."""
    month = this_month()
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(_("Say why you need more."), code="reason_missing")
    if amount <= 0:
        raise ValidationError(_("Ask for an amount above zero."), code="amount_invalid")
    limits = limits_for(subscription.company, [subscription.pk], month).get(subscription.pk, {})
    if metric not in limits or metric == rules.PREMIUM:
        raise ValidationError(_("This line has no such limit to raise."), code="no_limit")
    pending = RaiseRequest.objects.filter(
        company=subscription.company, subscription=subscription, month=month, metric=metric, status="pending"
    )
    if pending.exists():
        raise ValidationError(_("You have already asked; your admin has not answered yet."), code="already_asked")
    raise_request = RaiseRequest.objects.create(
        company=subscription.company,
        subscription=subscription,
        month=month,
        metric=metric,
        amount=amount,
        reason=reason[:2000],
        requested_by=by.display if by.user else subscription.email,
    )
    record(
        "guardrails.raise_requested",
        by=by,
        company=subscription.company,
        target=subscription,
        details={"request_id": raise_request.pk, "metric": metric, "amount": amount, "reason": raise_request.reason},
    )
    tokens = []
    for membership in notify.admins(subscription.company_id, subscription.cost_centre):
        nonce = secrets.token_urlsafe(8)
        tokens.append((membership, notify.decide_token(raise_request.pk, membership.user_id, nonce)))
    notify.raise_requested(raise_request, tokens)
    return raise_request


@transaction.atomic
def decide_raise(raise_request: RaiseRequest, *, approve: bool, by: Actor) -> RaiseRequest:
    """Approves (lifts the rule's bars at once, until the month ends) or refuses; once."""
    raise_request = RaiseRequest.objects.select_for_update().get(
        pk=raise_request.pk, company_id=raise_request.company_id
    )
    if raise_request.status != RaiseRequest.Status.PENDING:
        raise ValidationError(
            _("This request was already answered: %(status)s.") % {"status": raise_request.get_status_display()},
            code="already_decided",
        )
    if raise_request.month != this_month():
        raise_request.status = RaiseRequest.Status.EXPIRED
        raise_request.save(update_fields=["status"])
        raise ValidationError(_("The month of this request is over."), code="request_expired")
    raise_request.status = RaiseRequest.Status.APPROVED if approve else RaiseRequest.Status.REFUSED
    raise_request.decided_at = timezone.now()
    raise_request.decided_by = by.user
    raise_request.save(update_fields=["status", "decided_at", "decided_by"])
    record(
        "guardrails.raise_approved" if approve else "guardrails.raise_refused",
        by=by,
        company=raise_request.company,
        target=raise_request.subscription,
        details={"request_id": raise_request.pk, "metric": raise_request.metric, "amount": raise_request.amount},
    )
    if approve:
        sub = raise_request.subscription
        limit = limits_for(sub.company, [sub.pk], raise_request.month)[sub.pk].get(raise_request.metric)
        used = usage_source.month_totals(sub.company, [sub.pk], raise_request.month).get(sub.pk, rules.Totals())
        if limit is None or used.used(raise_request.metric) < limit.limit:
            for bar_row in Bar.objects.filter(
                company=sub.company, subscription=sub, metric=raise_request.metric, active=True
            ):
                lift(bar_row, reason=Bar.Lift.RAISE_APPROVED, by=by)
    notify.raise_decided(raise_request)
    return raise_request
