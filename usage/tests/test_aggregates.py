import datetime as dt
from decimal import Decimal

import pytest

from audit.actor import Actor
from invoicing.actions import UsageImportError, import_usage
from invoicing.models import UsageRecord
from invoicing.tests.factories import SubscriptionFactory
from registry.events import subscribe, unsubscribe
from usage.aggregates import rebuild
from usage.events import UsageAggregated
from usage.models import CostCentreMonthlyUsage, DailyUsage, MonthlyUsage
from usage.selectors import Totals, month_to_date

pytestmark = pytest.mark.django_db
HEADER = "record_id,phone_number,time,type,quantity,charge_ore\n"
ZONED = "record_id,phone_number,time,type,quantity,charge_ore,zone\n"
NOV = dt.date(2026, 11, 1)


@pytest.fixture
def system():
    return Actor.system("test")


@pytest.fixture
def sub():
    return SubscriptionFactory(phone_number="+4520123456", start_date=dt.date(2026, 1, 1), cost_centre="Sales")


@pytest.fixture
def other():
    return SubscriptionFactory(phone_number="+4520999999", start_date=dt.date(2026, 1, 1))


@pytest.fixture
def heard():
    events: list[UsageAggregated] = []

    def listen(event: UsageAggregated) -> None:
        events.append(event)

    subscribe(UsageAggregated, listen)
    yield events
    unsubscribe(UsageAggregated, listen)


def test_an_import_keeps_the_daily_monthly_and_cost_centre_totals(sub, system):
    import_usage(
        text=ZONED
        + "a1,+4520123456,2026-11-03 10:15,voice,12,0,\n"
        + "a2,+4520123456,2026-11-03 18:00,voice,3.5,100,\n"
        + "a3,+4520123456,2026-11-04 08:00,roaming,30,4500,eu\n"
        + "a4,+4520123456,2026-11-04 09:00,roaming,10,9000,world\n"
        + "a5,+4520123456,2026-11-30 23:30,data,100,0,\n",  # 23:30 local: still November
        filename="u.csv",
        by=system,
    )

    daily = {
        (d.day, d.type, d.zone): (d.quantity, d.charge, d.count) for d in DailyUsage.objects.filter(company=sub.company)
    }
    assert daily == {
        (dt.date(2026, 11, 3), "voice", ""): (Decimal("15.50"), 100, 2),
        (dt.date(2026, 11, 4), "roaming", "eu"): (Decimal("30.00"), 4500, 1),
        (dt.date(2026, 11, 4), "roaming", "world"): (Decimal("10.00"), 9000, 1),
        (dt.date(2026, 11, 30), "data", ""): (Decimal("100.00"), 0, 1),
    }
    usage = month_to_date(sub.company, dt.date(2026, 11, 17))[sub.pk]
    assert usage.charge == 13600
    assert usage.count == 5
    assert usage.get("voice") == Totals(Decimal("15.50"), 100, 2)
    assert usage.roaming("eu") == Totals(Decimal("30.00"), 4500, 1)
    assert usage.roaming("world") == Totals(Decimal("10.00"), 9000, 1)
    assert usage.get("sms") == Totals()
    centre = CostCentreMonthlyUsage.objects.get(company=sub.company, month=NOV)
    assert (centre.cost_centre, centre.roaming_eu_charge, centre.roaming_world_charge, centre.records) == (
        "Sales",
        4500,
        9000,
        5,
    )


def test_a_file_without_the_zone_column_still_imports_and_its_roaming_is_rest_of_world(sub, system):
    import_usage(text=HEADER + "b1,+4520123456,2026-11-04 08:00,roaming,30,4500\n", filename="old.csv", by=system)

    assert UsageRecord.objects.get(company=sub.company).zone == "world"
    assert month_to_date(sub.company.pk, NOV)[sub.pk].roaming("world").charge == 4500


def test_an_unknown_zone_is_a_line_error(sub, system):
    with pytest.raises(UsageImportError) as caught:
        import_usage(text=ZONED + "c1,+4520123456,2026-11-04 08:00,roaming,30,4500,mars\n", filename="z.csv", by=system)
    assert "mars" in caught.value.messages[0]


def test_the_same_file_twice_counts_once_and_later_files_add_up(sub, system):
    first = HEADER + "d1,+4520123456,2026-11-03 10:15,voice,10,50\n"
    import_usage(text=first, filename="1.csv", by=system)
    with pytest.raises(UsageImportError):
        import_usage(text=first, filename="1-again.csv", by=system)
    import_usage(text=HEADER + "d2,+4520123456,2026-11-03 11:15,voice,5,25\n", filename="2.csv", by=system)

    assert month_to_date(sub.company, NOV)[sub.pk].get("voice") == Totals(Decimal("15.00"), 75, 2)
    assert DailyUsage.objects.filter(company=sub.company).count() == 1


def test_a_rejected_file_counts_nothing(sub, system):
    with pytest.raises(UsageImportError):
        import_usage(
            text=HEADER + "e1,+4520123456,2026-11-03 10:15,voice,10,50\ne2,+4599999999,2026-11-03 10:15,voice,1,1\n",
            filename="bad.csv",
            by=system,
        )
    assert not MonthlyUsage.objects.filter(company=sub.company).exists()


def test_a_listener_that_fails_rolls_the_import_back(sub, system):
    def refuse(event: UsageAggregated) -> None:
        raise RuntimeError("guardrail down")

    subscribe(UsageAggregated, refuse)
    try:
        with pytest.raises(RuntimeError):
            import_usage(text=HEADER + "f1,+4520123456,2026-11-03 10:15,sms,1,0\n", filename="f.csv", by=system)
    finally:
        unsubscribe(UsageAggregated, refuse)
    assert not UsageRecord.objects.filter(company=sub.company).exists()
    assert not DailyUsage.objects.filter(company=sub.company).exists()


def test_the_event_names_each_company_month_and_its_subscriptions(sub, other, system, heard):
    import_usage(
        text=HEADER
        + "g1,+4520123456,2026-10-31 10:00,sms,1,0\n"
        + "g2,+4520123456,2026-11-01 10:00,sms,1,0\n"
        + "g3,+4520999999,2026-11-02 10:00,sms,1,0\n",
        filename="g.csv",
        by=system,
    )
    got = {(e.company_id, e.month, e.subscription_ids) for e in heard}
    assert got == {
        (sub.company_id, dt.date(2026, 10, 1), frozenset({sub.pk})),
        (sub.company_id, NOV, frozenset({sub.pk})),
        (other.company_id, NOV, frozenset({other.pk})),
    }
    # The listener sees the new totals at once (same transaction).


def test_month_to_date_is_one_query_and_narrows_to_the_subscriptions_asked(
    sub, other, system, django_assert_num_queries
):
    import_usage(
        text=HEADER + "h1,+4520123456,2026-11-03 10:00,data,5,0\n" + "h2,+4520999999,2026-11-03 10:00,data,7,0\n",
        filename="h.csv",
        by=system,
    )
    with django_assert_num_queries(1):
        assert list(month_to_date(sub.company, NOV, subscription_ids=[sub.pk, other.pk])) == (
            [sub.pk] if sub.company_id != other.company_id else [sub.pk, other.pk]
        )


def test_rebuild_recounts_records_made_outside_the_import(sub):
    UsageRecord.objects.create(
        company=sub.company,
        subscription=sub,
        type="data",
        quantity=Decimal(2),
        charge=10,
        time=dt.datetime(2026, 11, 5, 12, tzinfo=dt.UTC),
    )
    rebuild(sub.company_id)
    rebuild(sub.company_id)  # twice: still counted once
    assert month_to_date(sub.company, NOV)[sub.pk].get("data") == Totals(Decimal("2.00"), 10, 1)
