"""On UsageAggregated, in the import's transaction: 80 % warnings once, 100 % bars through the service blocks."""

import datetime as dt

import pytest
from django.utils import timezone

from audit.actor import Actor
from audit.models import AuditEvent
from companies.tests.factories import CompanyFactory, MembershipFactory
from guardrails import actions
from guardrails.models import Bar, Notice, Policy
from guardrails.tests.helpers import HEADER, import_rows
from outbox.models import OutboxMessage
from subscriptions import actions as subscription_actions
from subscriptions.models import Subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
PHONE = "+4520123456"


@pytest.fixture
def company():
    company = CompanyFactory(name="Rejse ApS")
    MembershipFactory(company=company, user__email="admin@rejse.dk")
    MembershipFactory(company=company, user__email="invoices@rejse.dk", areas=["invoice"])
    return company


@pytest.fixture
def sub(company):
    return SubscriptionFactory(company=company, phone_number=PHONE, email="mette@rejse.dk", cost_centre="Salg")


def _cap(company, **data):
    return actions.save_policy(company=company, scope=Policy.Scope.COMPANY, data=data, by=Actor.system("test"))


def _fresh(sub) -> Subscription:
    return Subscription.all_companies.get(pk=sub.pk)


def test_two_imports_over_80_percent_send_one_warning(company, sub):
    _cap(company, spend_cap=10000)
    import_rows((PHONE, "voice", 60, 8500, ""))
    import_rows((PHONE, "voice", 1, 100, ""))  # still between 80 and 100 %
    [notice] = Notice.all_companies.all()
    assert (notice.metric, notice.threshold, notice.limit) == ("spend", 80, 10000)
    assert sorted(notice.sent_to) == ["admin@rejse.dk", "mette@rejse.dk"]
    to = sorted(m.to[0] for m in OutboxMessage.objects.all())
    assert to == ["admin@rejse.dk", "mette@rejse.dk"]  # the invoice-only admin is not told
    assert not _fresh(sub).block_data


def test_the_employee_warning_links_to_the_raise_request_page(company, sub):
    _cap(company, spend_cap=10000)
    import_rows((PHONE, "voice", 60, 8500, ""))
    [employee] = OutboxMessage.objects.filter(to=["mette@rejse.dk"])
    assert "/guardrails/links/ask/" in employee.body
    [admin] = OutboxMessage.objects.filter(to=["admin@rejse.dk"])
    assert f"/guardrails/line/{sub.pk}/" in admin.body


def test_100_percent_bars_through_the_service_blocks(company, sub):
    _cap(company, data_cap_mb=1024)
    import_rows((PHONE, "data", 1100, 0, ""))
    sub = _fresh(sub)
    assert sub.block_data and not sub.block_roaming
    [bar] = Bar.all_companies.all()
    assert bar.active and bar.took_over and bar.block_field == "block_data"
    blocked = AuditEvent.all_companies.get(action="subscription.blocks_changed")
    assert blocked.actor_label == "guardrails" and blocked.details["changes"] == {"block_data": [False, True]}
    # Both thresholds at once: one 80 % and one 100 % notice.
    assert sorted(Notice.all_companies.values_list("threshold", flat=True)) == [80, 100]


def test_the_eu_rule_bars_roaming_outside_the_eu_at_50_eur(company, sub, settings):
    settings.GUARDRAILS_EUR_DKK_ORE = 746
    import_rows((PHONE, "roaming", 10, 30000, "world"))
    assert Notice.all_companies.get().threshold == 80
    import_rows((PHONE, "roaming", 5, 7300, "world"))
    assert _fresh(sub).block_roaming
    assert Bar.all_companies.get().metric == "roaming:world"


def test_roaming_in_the_eu_is_not_under_the_eu_rule(company, sub):
    import_rows((PHONE, "roaming", 10, 90000, "eu"))
    assert not Notice.all_companies.exists()


def test_a_user_opted_out_is_not_barred_and_the_opt_out_is_audited(company, sub):
    actions.save_policy(
        company=company,
        scope=Policy.Scope.USER,
        subscription=sub,
        data={"eu_rule_opt_out": True},
        by=Actor.system("test"),
    )
    assert AuditEvent.all_companies.filter(action="guardrails.eu_opt_out", target_id=str(sub.pk)).exists()
    import_rows((PHONE, "roaming", 10, 90000, "world"))
    assert not _fresh(sub).block_roaming


def test_a_block_set_by_hand_is_never_switched_off_by_a_lift(company, sub):
    subscription_actions.set_blocks(sub, blocks={"block_data": True}, by=Actor.system("admin"))
    _cap(company, data_cap_mb=1024)
    import_rows((PHONE, "data", 1100, 0, ""))
    bar = Bar.all_companies.get()
    assert not bar.took_over
    actions.lift_past_months(today=timezone.localdate() + dt.timedelta(days=40))
    assert _fresh(sub).block_data  # still the admin's block


def test_raising_the_cap_lifts_the_bar_at_once(company, sub):
    _cap(company, data_cap_mb=1024)
    import_rows((PHONE, "data", 1100, 0, ""))
    assert _fresh(sub).block_data
    _cap(company, data_cap_mb=5120)
    assert not _fresh(sub).block_data
    assert Bar.all_companies.get().lift_reason == Bar.Lift.CAP_RAISED


def test_an_admin_switching_the_block_off_by_hand_ends_the_bar_for_the_month(company, sub):
    _cap(company, data_cap_mb=1024)
    import_rows((PHONE, "data", 1100, 0, ""))
    subscription_actions.set_blocks(_fresh(sub), blocks={"block_data": False}, by=Actor.system("admin"))
    assert Bar.all_companies.get().lift_reason == Bar.Lift.BY_HAND
    import_rows((PHONE, "data", 100, 0, ""))
    assert not _fresh(sub).block_data  # not barred again at the same limit this month


def test_a_month_start_lifts_the_bars_once(company, sub):
    _cap(company, data_cap_mb=1024)
    import_rows((PHONE, "data", 1100, 0, ""))
    next_month = timezone.localdate() + dt.timedelta(days=40)
    assert actions.lift_past_months(today=next_month)["lifted"] == 1
    assert actions.lift_past_months(today=next_month)["lifted"] == 0
    assert not _fresh(sub).block_data
    assert Bar.all_companies.get().lift_reason == Bar.Lift.MONTH_END


def test_two_rules_holding_one_block_lift_it_only_when_both_end(company, sub):
    _cap(company, data_cap_mb=1024, spend_cap=10000)
    import_rows((PHONE, "data", 1100, 12000, ""))
    assert Bar.all_companies.filter(block_field="block_data", active=True).count() == 2
    _cap(company, data_cap_mb=5120, spend_cap=10000)  # the data cap is raised, the spend cap still holds
    assert _fresh(sub).block_data
    _cap(company, data_cap_mb=5120, spend_cap=50000)
    assert not _fresh(sub).block_data


def test_the_cost_centres_rule_wins_over_everyones(company, sub):
    _cap(company, spend_cap=100000)
    actions.save_policy(
        company=company,
        scope=Policy.Scope.COST_CENTRE,
        cost_centre="Salg",
        data={"spend_cap": 10000},
        by=Actor.system("test"),
    )
    import_rows((PHONE, "voice", 60, 8500, ""))
    assert Notice.all_companies.get().limit == 10000


def test_premium_switched_off_bars_premium_on_the_next_import(company, sub):
    _cap(company, premium="blocked")
    import_rows((PHONE, "voice", 1, 0, ""))
    assert _fresh(sub).block_premium
    assert not OutboxMessage.objects.exists()  # switched off is not news: no warning


def test_late_records_of_a_past_month_neither_warn_nor_bar_this_month(company, sub):
    """A file of last month's records (arriving late) is counted into last month's totals, but last month's
    bars and warnings are over: no bar now (it would hold until the next month start) and no e-mail."""
    from invoicing.actions import import_usage

    _cap(company, data_cap_mb=1024)
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=10)
    text = f"{HEADER}late-1,{PHONE},{last_month} 10:00,data,1100,0,\n"
    import_usage(text=text, filename="late.csv", by=Actor.system("test"))
    assert not Notice.all_companies.exists()
    assert not Bar.all_companies.exists()
    assert not _fresh(sub).block_data
    assert not OutboxMessage.objects.exists()


def test_the_evaluations_queries_per_warning_are_few_and_lines_warned_before_cost_none(
    company, django_assert_num_queries
):
    """guard17 measured about 12 queries per warning; lines already warned cost one query for them all."""
    from guardrails import rules

    subs = [
        SubscriptionFactory(company=company, phone_number=f"+4520000{i:03d}", email=f"u{i}@rejse.dk") for i in range(5)
    ]
    _cap(company, spend_cap=10000)
    totals = {s.pk: rules.Totals(spend=8500) for s in subs}
    month = actions.this_month()
    # 3 (limits) + 1 (lines over a threshold) + 1 (notices so far) + 1 (admins), then per warning: the notice
    # (savepoint, insert, release), two e-mails through the outbox (3 each), the audit row.
    with django_assert_num_queries(6 + 10 * 5):
        assert actions.evaluate(company=company, subscription_ids=totals, month=month, totals=totals)["warned"] == 5
    with django_assert_num_queries(5):
        assert actions.evaluate(company=company, subscription_ids=totals, month=month, totals=totals)["warned"] == 0
    assert Notice.all_companies.count() == 5
    assert sorted(Notice.all_companies.get(subscription=subs[0]).sent_to) == ["admin@rejse.dk", "u0@rejse.dk"]
    assert OutboxMessage.objects.count() == 10
