"""Guardrails: a company's spend and roaming rules, the thresholds crossed, the bars they set, raise requests.

Every row belongs to a company (``CompanyOwned``). The month of a notice, bar or raise is its first day.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guardrails import rules
from registry.scoping import CompanyOwned


def field_label(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def block_label(field: str) -> str:
    """A service block's name as the profile shows it ("block mobile data")."""
    from subscriptions.models import Subscription

    return field_label(Subscription, field)


class Policy(CompanyOwned):
    """One level's rules: everyone in the company, a cost centre or one user (a subscription).

    A setting left empty is not a rule at this level: the next, less specific one applies (user, cost
    centre, company, then the default EU rule)."""

    class Scope(models.TextChoices):
        COMPANY = "company", _("Everyone")
        COST_CENTRE = "cost_centre", _("Cost centre")
        USER = "user", _("One user")

    class Premium(models.TextChoices):
        INHERIT = "", _("As the level above")
        ALLOWED = "allowed", _("Allowed")
        BLOCKED = "blocked", _("Switched off")

    scope = models.CharField(_("applies to"), max_length=12, choices=Scope.choices)
    cost_centre = models.CharField(_("cost centre"), max_length=40, blank=True)
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    spend_cap = models.BigIntegerField(_("monthly spend cap (øre excl. VAT)"), null=True, blank=True)
    data_cap_mb = models.PositiveIntegerField(_("data cap (MB)"), null=True, blank=True)
    roaming_caps = models.JSONField(_("roaming caps per zone (øre excl. VAT)"), default=dict, blank=True)
    premium = models.CharField(_("premium services"), max_length=8, choices=Premium.choices, blank=True)
    eu_rule_opt_out = models.BooleanField(_("opted out of the EU roaming limit"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("guardrail policy")
        verbose_name_plural = _("guardrail policies")
        ordering = ["scope", "cost_centre", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company"], condition=Q(scope="company"), name="guardrail_one_company"),
            models.UniqueConstraint(
                fields=["company", "cost_centre"], condition=Q(scope="cost_centre"), name="guardrail_one_cost_centre"
            ),
            models.UniqueConstraint(fields=["subscription"], condition=Q(scope="user"), name="guardrail_one_user"),
            models.CheckConstraint(
                condition=Q(scope="company", cost_centre="", subscription__isnull=True)
                | (Q(scope="cost_centre", subscription__isnull=True) & ~Q(cost_centre=""))
                | Q(scope="user", cost_centre="", subscription__isnull=False),
                name="guardrail_scope_fields",
            ),
            models.CheckConstraint(
                condition=Q(eu_rule_opt_out=False) | Q(scope="user"), name="guardrail_opt_out_per_user"
            ),
        ]

    def __str__(self) -> str:
        if self.scope == self.Scope.COST_CENTRE:
            return str(_("Cost centre %(name)s") % {"name": self.cost_centre})
        if self.scope == self.Scope.USER and self.subscription is not None:
            return str(self.subscription)
        return str(self.Scope.COMPANY.label)

    @property
    def zone_caps(self) -> list[tuple[str, int]]:
        """(zone name, cap in øre) for the page, in the zones' order."""
        caps = self.roaming_caps or {}
        return [(str(label), int(caps[zone])) for zone, label in rules.ZONES.items() if caps.get(zone) is not None]

    def as_rule(self) -> rules.Rule:
        return rules.Rule(
            level=self.scope,
            spend_cap=self.spend_cap,
            data_cap_mb=self.data_cap_mb,
            roaming_caps={zone: int(v) for zone, v in (self.roaming_caps or {}).items() if v is not None},
            premium_blocked=None if not self.premium else self.premium == self.Premium.BLOCKED,
            eu_rule_opt_out=self.eu_rule_opt_out,
            policy_id=self.pk,
        )


class Notice(CompanyOwned):
    """A threshold crossed (80 % warned, 100 % barred) for one line, month, metric and limit: written once.

    The unique constraint is what makes two imports of the same use send one warning: the second insert
    finds the row and sends nothing. A raised limit is a new limit, so its thresholds warn again."""

    subscription = models.ForeignKey("subscriptions.Subscription", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))
    metric = models.CharField(_("rule"), max_length=24)
    threshold = models.PositiveSmallIntegerField(_("threshold (%)"))
    limit = models.BigIntegerField(_("limit"))
    used = models.BigIntegerField(_("used"))
    sent_to = models.JSONField(_("sent to"), default=list, blank=True)
    created_at = models.DateTimeField(_("crossed"), auto_now_add=True)

    class Meta:
        verbose_name = _("guardrail notice")
        verbose_name_plural = _("guardrail notices")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "month", "metric", "threshold", "limit"], name="guardrail_notice_once"
            )
        ]


class Bar(CompanyOwned):
    """A service block a guardrail switched on (through subscriptions.actions.set_blocks).

    ``took_over`` is False when the block was already on by the admin's hand: the bar is then only
    recorded, and lifting it never switches off the admin's block."""

    class Lift(models.TextChoices):
        MONTH_END = "month_end", _("the month ended")
        CAP_RAISED = "cap_raised", _("the cap was raised")
        RAISE_APPROVED = "raise_approved", _("a temporary raise was approved")
        BY_HAND = "by_hand", _("an admin changed the block by hand")

    subscription = models.ForeignKey("subscriptions.Subscription", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))
    metric = models.CharField(_("rule"), max_length=24)
    block_field = models.CharField(_("service block"), max_length=20)
    limit = models.BigIntegerField(_("limit"))
    used = models.BigIntegerField(_("used"))
    took_over = models.BooleanField(default=True)
    active = models.BooleanField(default=True)
    barred_at = models.DateTimeField(_("barred"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lift_reason = models.CharField(_("lifted because"), max_length=16, choices=Lift.choices, blank=True)
    lifted_by = models.CharField(_("lifted by"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("guardrail bar")
        verbose_name_plural = _("guardrail bars")
        ordering = ["barred_at", "id"]
        constraints = [
            # Once per line, month, rule, block and limit: a bar lifted by hand is not set again at that limit.
            models.UniqueConstraint(
                fields=["subscription", "month", "metric", "block_field", "limit"], name="guardrail_bar_once"
            )
        ]
        indexes = [models.Index(fields=["company", "active", "month"], name="guardrail_bar_active")]

    @property
    def block_label(self) -> str:
        return block_label(self.block_field)


class RaiseRequest(CompanyOwned):
    """An employee asks for a temporary raise of one rule's limit for the rest of the month."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an admin")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        EXPIRED = "expired", _("Expired")

    subscription = models.ForeignKey("subscriptions.Subscription", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))
    metric = models.CharField(_("rule"), max_length=24)
    amount = models.BigIntegerField(_("raise"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("asked"), auto_now_add=True)
    requested_by = models.CharField(_("asked by"), max_length=254, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("raise request")
        verbose_name_plural = _("raise requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "month", "metric"],
                condition=Q(status="pending"),
                name="guardrail_one_pending_raise",
            )
        ]

    @property
    def metric_label(self) -> str:
        from guardrails.notify import metric_label

        return metric_label(self.metric)


class Evaluation(CompanyOwned):
    """Warnings and bars still to work out for a company's month: written by the usage import (in its
    transaction, with the task that does it), worked through by ``guardrails.tasks.evaluate_usage`` in chunks.

    One *pending* row per company and month: a second import before the task starts adds its lines to it
    (coalescing). The task marks it *running* (so a newer import queues a new one) and moves ``done_through``
    with each chunk, in the chunk's transaction: after a kill the re-run starts after the last committed chunk."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    # Sorted ids of the lines whose totals moved; empty with ``all_lines`` (every line with use this month).
    subscription_ids = models.JSONField(default=list, blank=True)
    all_lines = models.BooleanField(default=False)
    done_through = models.BigIntegerField(default=0)  # the last subscription id evaluated
    imports = models.PositiveIntegerField(default=1)  # how many imports were coalesced into this row
    warned = models.PositiveIntegerField(default=0)
    barred = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("guardrail evaluation")
        verbose_name_plural = _("guardrail evaluations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "month"], condition=Q(status="pending"), name="guardrail_one_pending_evaluation"
            )
        ]
