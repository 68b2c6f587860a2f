"""The pure rules: most specific wins, the EU default, the thresholds."""

import pytest

from guardrails import rules
from guardrails.rules import Limit, Rule, Totals, crossings, effective_limits

WORLD = rules.roaming_metric(rules.ZONE_NON_EU)


def test_it_applies_the_eu_rule_by_default(settings):
    settings.GUARDRAILS_EUR_DKK_ORE = 746
    assert effective_limits([]) == {WORLD: Limit(WORLD, 37300, "eu_rule")}


def test_it_lets_the_most_specific_level_win_per_setting():
    user = Rule(level="user", data_cap_mb=2048, policy_id=3)
    centre = Rule(level="cost_centre", spend_cap=20000, data_cap_mb=10240, policy_id=2)
    company = Rule(level="company", spend_cap=50000, premium_blocked=True, policy_id=1)
    limits = effective_limits([user, centre, company])
    assert limits[rules.DATA] == Limit(rules.DATA, 2048, "user", 3)
    assert limits[rules.SPEND] == Limit(rules.SPEND, 20000, "cost_centre", 2)
    assert limits[rules.PREMIUM] == Limit(rules.PREMIUM, 0, "company", 1)


def test_a_user_may_allow_premium_the_company_switched_off():
    limits = effective_limits([Rule(level="user", premium_blocked=False), Rule(level="company", premium_blocked=True)])
    assert rules.PREMIUM not in limits


def test_a_zone_cap_replaces_the_eu_rule_and_an_opt_out_removes_it():
    capped = effective_limits([Rule(level="company", roaming_caps={rules.ZONE_NON_EU: 100000})])
    assert capped[WORLD] == Limit(WORLD, 100000, "company")
    assert WORLD not in effective_limits([Rule(level="user", eu_rule_opt_out=True)])
    # Only a user's policy opts out.
    assert WORLD in effective_limits([Rule(level="company", eu_rule_opt_out=True)])


def test_an_approved_raise_adds_to_the_limit():
    limits = effective_limits([Rule(level="company", spend_cap=10000)], raises={rules.SPEND: 5000})
    assert limits[rules.SPEND].limit == 15000


@pytest.mark.parametrize(
    ("used", "expected"),
    [(7999, []), (8000, [80]), (9999, [80]), (10000, [80, 100]), (25000, [80, 100])],
)
def test_it_crosses_80_and_100_percent(used, expected):
    limits = {rules.SPEND: Limit(rules.SPEND, 10000, "company")}
    assert [c.threshold for c in crossings(Totals(spend=used), limits)] == expected


def test_premium_switched_off_bars_at_once_without_a_warning():
    found = crossings(Totals(), {rules.PREMIUM: Limit(rules.PREMIUM, 0, "company")})
    assert [(c.metric, c.threshold) for c in found] == [(rules.PREMIUM, 100)]


def test_each_metric_has_its_blocks():
    assert rules.blocks_for(rules.DATA) == ("block_data",)
    assert rules.blocks_for(WORLD) == ("block_roaming",)
    assert set(rules.blocks_for(rules.SPEND)) == {"block_data", "block_roaming", "block_premium"}
