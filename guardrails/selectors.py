"""Guardrail reads: the policies page, the profile note, the "why is this line barred?" timeline."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.labels import actor_label
from audit.models import AuditEvent
from companies.models import Company
from guardrails import notify, rules
from guardrails.models import Bar, Notice, Policy, RaiseRequest, block_label
from registry.scoping import cost_centre_limit, limit_to_cost_centres
from subscriptions.models import Subscription

FIELD_LABELS = {
    "spend_cap": gettext_lazy("spend cap"),
    "data_cap_mb": gettext_lazy("data cap"),
    "roaming_caps": gettext_lazy("roaming caps"),
    "premium": gettext_lazy("premium-rate services"),
    "eu_rule_opt_out": gettext_lazy("the EU roaming limit"),
}
POLICY_ACTIONS = ("guardrails.policy_created", "guardrails.policy_changed", "guardrails.policy_deleted")
LINE_ACTIONS = ("guardrails.eu_opt_out", "guardrails.eu_opt_in", "subscription.blocks_changed")


def policies(company: Company) -> list[Policy]:
    """The company's rules, everyone first, then cost centres, then users: one query."""
    order = {Policy.Scope.COMPANY: 0, Policy.Scope.COST_CENTRE: 1, Policy.Scope.USER: 2}
    rows = list(Policy.objects.for_company(company).select_related("subscription"))
    return sorted(rows, key=lambda p: (order[Policy.Scope(p.scope)], p.cost_centre.casefold(), str(p)))


def pending_raises(company: Company) -> list[RaiseRequest]:
    return list(
        RaiseRequest.objects.for_company(company)
        .filter(status=RaiseRequest.Status.PENDING)
        .select_related("subscription")
    )


def raise_requests_waiting(company: Company) -> Any:
    """The pending raise requests an admin may decide, oldest first: the whole company, or a cost-centre-limited
    admin's lines only (RaiseRequest is not cut by the limit itself). A page is two queries: count and rows."""
    queryset = (
        RaiseRequest.objects.for_company(company)
        .filter(status=RaiseRequest.Status.PENDING)
        .select_related("subscription")
        .order_by("requested_at", "id")
    )
    return limit_to_cost_centres(queryset, company, "subscription__cost_centre")


def active_bars(subscription: Subscription) -> list[Bar]:
    return list(Bar.objects.filter(company_id=subscription.company_id, subscription=subscription, active=True))


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    kind: str  # warning | barred | lifted | asked | decided | rules | block
    icon: str
    text: str
    who: str = ""


def _notice_entries(sub: Subscription) -> list[Entry]:
    entries = []
    for notice in Notice.objects.filter(company_id=sub.company_id, subscription=sub):
        facts = {
            "rule": notify.metric_label(notice.metric),
            "used": notify.amount_text(notice.metric, notice.used),
            "limit": notify.amount_text(notice.metric, notice.limit),
        }
        if notice.threshold >= rules.BAR_PERCENT:
            text = _("100 %% of %(rule)s reached: %(used)s of %(limit)s.") % facts
            if notice.limit == 0:
                text = _("%(rule)s are switched off by the rules.") % facts
        else:
            text = _("80 %% of %(rule)s reached: %(used)s of %(limit)s.") % facts
        if notice.sent_to:
            text += " " + _("Warning e-mailed to %(whom)s.") % {"whom": ", ".join(notice.sent_to)}
        kind = "barred" if notice.threshold >= rules.BAR_PERCENT else "warning"
        entries.append(Entry(notice.created_at, f"{kind}-threshold", "gauge-high", text))
    return entries


def _bar_entries(sub: Subscription) -> list[Entry]:
    entries = []
    for bar in Bar.objects.filter(company_id=sub.company_id, subscription=sub):
        facts = {"rule": notify.metric_label(bar.metric), "block": block_label(bar.block_field)}
        if bar.took_over:
            text = _("Barred by the guardrail for %(rule)s: %(block)s.") % facts
        else:
            text = _("The guardrail for %(rule)s found %(block)s already set by hand; it stays the admin's.") % facts
        entries.append(Entry(bar.barred_at, "barred", "ban", text))
        if bar.lifted_at:
            reason = Bar.Lift(bar.lift_reason).label if bar.lift_reason else ""
            text = _("Bar lifted (%(block)s): %(reason)s.") % {**facts, "reason": reason}
            entries.append(Entry(bar.lifted_at, "lifted", "unlock", text, bar.lifted_by))
    return entries


def _raise_entries(sub: Subscription) -> list[Entry]:
    entries = []
    rows = RaiseRequest.objects.filter(company_id=sub.company_id, subscription=sub).select_related("decided_by")
    for row in rows:
        facts = {
            "rule": notify.metric_label(row.metric),
            "amount": notify.amount_text(row.metric, row.amount),
            "reason": row.reason,
        }
        text = _("Asked for %(amount)s more %(rule)s: “%(reason)s”.") % facts
        entries.append(Entry(row.requested_at, "asked", "hand", text, row.requested_by))
        if row.decided_at:
            status = row.get_status_display()
            who = row.decided_by.email if row.decided_by else ""
            text = _("Raise of %(amount)s %(rule)s: %(status)s.") % {**facts, "status": status}
            entries.append(Entry(row.decided_at, "decided", "gavel", text, who))
    return entries


def _rule_text(event: AuditEvent) -> str:
    details: dict[str, Any] = event.details or {}
    scope = details.get("scope")
    if scope == Policy.Scope.COST_CENTRE:
        level = _("the cost centre %(name)s") % {"name": details.get("cost_centre", "")}
    elif scope == Policy.Scope.USER:
        level = _("this user")
    else:
        level = _("everyone")
    if event.action == "guardrails.policy_deleted":
        return _("Rules for %(level)s removed.") % {"level": level}
    changed = ", ".join(str(label) for name, label in FIELD_LABELS.items() if name in details.get("changes", {}))
    if event.action == "guardrails.policy_created":
        return _("Rules for %(level)s set: %(fields)s.") % {"level": level, "fields": changed or "—"}
    return _("Rules for %(level)s changed: %(fields)s.") % {"level": level, "fields": changed or "—"}


def _audit_entries(sub: Subscription) -> list[Entry]:
    applies = Q(details__scope=Policy.Scope.COMPANY) | Q(details__subscription_id=sub.pk)
    if sub.cost_centre:
        applies |= Q(details__scope=Policy.Scope.COST_CENTRE, details__cost_centre=sub.cost_centre)
    line = Q(action__in=LINE_ACTIONS, target_type="subscriptions.subscription", target_id=str(sub.pk))
    events = AuditEvent.objects.filter(company_id=sub.company_id).filter(
        (Q(action__in=POLICY_ACTIONS) & applies) | line
    )
    entries = []
    for event in events.select_related("actor"):
        if event.action == "subscription.blocks_changed":
            if event.actor_id is None and event.actor_label == "guardrails":
                continue  # the guardrail's own switch: its bar entry says it
            changes = event.details.get("changes", {})
            parts = [
                f"{block_label(field)}: " + (_("on") if new else _("off"))
                for field, (_old, new) in changes.items()
                if field in {f.name for f in Subscription._meta.fields}
            ]
            entries.append(
                Entry(
                    event.created_at,
                    "block",
                    "hand-pointer",
                    _("Blocks set by hand: ") + "; ".join(parts),
                    actor_label(event),
                )
            )
        elif event.action == "guardrails.eu_opt_out":
            entries.append(
                Entry(
                    event.created_at,
                    "rules",
                    "earth-europe",
                    _("Opted out of the EU roaming limit."),
                    actor_label(event),
                )
            )
        elif event.action == "guardrails.eu_opt_in":
            entries.append(
                Entry(
                    event.created_at,
                    "rules",
                    "earth-europe",
                    _("The EU roaming limit applies again."),
                    actor_label(event),
                )
            )
        else:
            entries.append(Entry(event.created_at, "rules", "sliders", _rule_text(event), actor_label(event)))
    return entries


def timeline(sub: Subscription) -> list[Entry]:
    """Thresholds crossed, warnings sent, bars and lifts, raise requests and rule changes, newest first:
    five queries, whatever the history's length."""
    entries = [*_notice_entries(sub), *_bar_entries(sub), *_raise_entries(sub), *_audit_entries(sub)]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def overview_counts(company: Company) -> dict[str, int]:
    """Lines a guardrail bars now and raise requests waiting, in one query (the overview's card)."""

    def count(queryset: Any, expression: Any) -> Subquery:
        return Subquery(queryset.values("company").annotate(n=expression).values("n")[:1])

    # Through OuterRef the rows are not cut by the company object's cost-centre limit: cut them here.
    limit = cost_centre_limit(company)
    lines = Q(subscription__cost_centre__in=limit) if limit is not None else Q()

    row = (
        Company.objects.filter(pk=company.pk)
        .annotate(
            barred=count(
                Bar.objects.filter(lines, company=OuterRef("pk"), active=True), Count("subscription_id", distinct=True)
            ),
            waiting=count(
                RaiseRequest.objects.filter(lines, company=OuterRef("pk"), status=RaiseRequest.Status.PENDING),
                Count("id"),
            ),
        )
        .values("barred", "waiting")
        .get()
    )
    return {"barred": row["barred"] or 0, "waiting": row["waiting"] or 0}


def employee_note(sub: Subscription) -> dict[str, Any]:
    """For the employee's own page (``employees``): what a guardrail bars now, and a signed link per rule to ask
    for a temporary raise (the same page as the warning e-mail's link). One query."""
    bars = active_bars(sub)
    month = timezone.localdate().replace(day=1)
    metrics = sorted({bar.metric for bar in bars if bar.metric != rules.PREMIUM})
    asks = [
        (notify.metric_label(m), reverse("guardrail_links:ask", args=[notify.ask_token(sub, month=month, metric=m)]))
        for m in metrics
    ]
    return {"bars": bars, "asks": asks}
