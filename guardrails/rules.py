"""The guardrail rules as pure functions: which limits apply to a line, and which thresholds its use crosses.

No database here: the policies come in as plain values, the month's use as ``Totals``, so the rules are
tested alone and the actions only fetch, call and write.

A rule is looked up per setting, most specific first: the user's (one subscription), then the cost centre's,
then the company's, then the default. The EU rule is the default for data roaming outside the EU: it stops
at 50 EUR excl. VAT a month (in øre at the ``GUARDRAILS_EUR_DKK_ORE`` rate), unless a policy sets that
zone's cap itself or the company opts a user out (``eu_rule_opt_out`` on the user's policy).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

WARNING_PERCENT = 80
BAR_PERCENT = 100
EU_CAP_EUR = 50

# Roaming zones: the EU/EEA (regulated "roam like at home") and the rest of the world.
ZONE_EU = "eu"
ZONE_NON_EU = "world"  # as usage.selectors names it
ZONES = {ZONE_EU: _("EU/EEA"), ZONE_NON_EU: _("outside the EU")}

SPEND = "spend"
DATA = "data"
PREMIUM = "premium"


def roaming_metric(zone: str) -> str:
    return f"roaming:{zone}"


# Which service blocks (subscriptions.models.BLOCK_FIELDS) a bar of each metric switches on. A spend cap
# stops what costs extra; calls and texts in Denmark keep working (and 112 always does).
SPEND_BLOCKS = ("block_data", "block_roaming", "block_premium")


def blocks_for(metric: str) -> tuple[str, ...]:
    if metric == SPEND:
        return SPEND_BLOCKS
    if metric == DATA:
        return ("block_data",)
    if metric == PREMIUM:
        return ("block_premium",)
    if metric.startswith("roaming:"):
        # The network has one roaming block (calls, texts and data abroad): a zone's bar uses it.
        return ("block_roaming",)
    raise ValueError(f"Unknown guardrail metric {metric!r}")


def metric_unit(metric: str) -> str:
    """ "mb" for the data cap, "ore" for every money cap."""
    return "mb" if metric == DATA else "ore"


def eu_cap_ore() -> int:
    return EU_CAP_EUR * int(settings.GUARDRAILS_EUR_DKK_ORE)


@dataclass(frozen=True)
class Rule:
    """One policy's settings; None (or a missing zone) means "not set here, ask the next level"."""

    level: str  # "user" | "cost_centre" | "company"
    spend_cap: int | None = None  # øre excl. VAT
    data_cap_mb: int | None = None
    roaming_caps: Mapping[str, int] = field(default_factory=dict)  # zone -> øre excl. VAT
    premium_blocked: bool | None = None
    eu_rule_opt_out: bool = False
    policy_id: int | None = None


@dataclass(frozen=True)
class Limit:
    metric: str
    limit: int  # øre or MB; 0 with premium blocked
    source: str  # "user" | "cost_centre" | "company" | "eu_rule"
    policy_id: int | None = None


@dataclass(frozen=True)
class Totals:
    """A line's use so far this month, excl. VAT."""

    spend: int = 0  # øre
    data_mb: int = 0
    roaming: Mapping[str, int] = field(default_factory=dict)  # zone -> øre
    premium: int = 0  # øre

    def used(self, metric: str) -> int:
        if metric == SPEND:
            return self.spend
        if metric == DATA:
            return self.data_mb
        if metric == PREMIUM:
            return self.premium
        return int(self.roaming.get(metric.removeprefix("roaming:"), 0))


@dataclass(frozen=True)
class Crossing:
    metric: str
    threshold: int  # WARNING_PERCENT or BAR_PERCENT
    used: int
    limit: int


def _first[T](rules: list[Rule], pick: Callable[[Rule], T | None]) -> tuple[T, Rule] | None:
    for rule in rules:
        value = pick(rule)
        if value is not None:
            return value, rule
    return None


def _zone_cap(zone: str) -> Callable[[Rule], int | None]:
    return lambda rule: rule.roaming_caps.get(zone)


def effective_limits(rules: Iterable[Rule], *, raises: Mapping[str, int] | None = None) -> dict[str, Limit]:
    """The limits of one line: ``rules`` most specific first (user, cost centre, company).

    ``raises`` are the approved temporary raises of this month (metric -> amount added to the limit)."""
    ordered = list(rules)
    raises = raises or {}
    limits: dict[str, Limit] = {}
    found = _first(ordered, lambda r: r.spend_cap)
    if found:
        limits[SPEND] = Limit(SPEND, found[0], found[1].level, found[1].policy_id)
    found = _first(ordered, lambda r: r.data_cap_mb)
    if found:
        limits[DATA] = Limit(DATA, found[0], found[1].level, found[1].policy_id)
    found = _first(ordered, lambda r: r.premium_blocked)
    if found and found[0]:
        limits[PREMIUM] = Limit(PREMIUM, 0, found[1].level, found[1].policy_id)
    for zone in ZONES:
        found = _first(ordered, _zone_cap(zone))
        if found:
            limits[roaming_metric(zone)] = Limit(roaming_metric(zone), found[0], found[1].level, found[1].policy_id)
    opted_out = any(rule.eu_rule_opt_out for rule in ordered if rule.level == "user")
    non_eu = roaming_metric(ZONE_NON_EU)
    if non_eu not in limits and not opted_out:
        limits[non_eu] = Limit(non_eu, eu_cap_ore(), "eu_rule")
    for metric, extra in raises.items():
        if metric in limits and metric != PREMIUM:
            base = limits[metric]
            limits[metric] = Limit(metric, base.limit + extra, base.source, base.policy_id)
    return limits


def crossings(totals: Totals, limits: Mapping[str, Limit]) -> list[Crossing]:
    """The thresholds this month's use has reached, per metric (the 80 % warning and the 100 % bar).

    Premium services switched off bar at once (a limit of 0); there is no warning for them."""
    found: list[Crossing] = []
    for metric, limit in limits.items():
        used = totals.used(metric)
        if limit.limit <= 0:
            found.append(Crossing(metric, BAR_PERCENT, used, 0))
            continue
        if used * 100 >= limit.limit * BAR_PERCENT:
            found.append(Crossing(metric, WARNING_PERCENT, used, limit.limit))
            found.append(Crossing(metric, BAR_PERCENT, used, limit.limit))
        elif used * 100 >= limit.limit * WARNING_PERCENT:
            found.append(Crossing(metric, WARNING_PERCENT, used, limit.limit))
    return found
