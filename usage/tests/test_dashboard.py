import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from invoicing.models import UsageRecord
from invoicing.tests.factories import SubscriptionFactory
from usage.aggregates import aggregate
from usage.dashboard import forecast, months

pytestmark = pytest.mark.django_db


def _use(sub, when, usage_type, quantity, charge, zone=""):
    UsageRecord.objects.create(
        company_id=sub.company_id,
        subscription=sub,
        time=when,
        type=usage_type,
        quantity=Decimal(quantity),
        charge=charge,
        zone=zone,
    )


@pytest.fixture
def usage(personas):
    """Company A: two lines in two cost centres with use this month and 2 months ago."""
    now = timezone.now()
    this = timezone.localdate().replace(day=1)
    start = timezone.make_aware(dt.datetime.combine(this, dt.time(0, 30)))
    before = timezone.make_aware(dt.datetime.combine((this - dt.timedelta(days=40)).replace(day=3), dt.time(12)))
    ann = SubscriptionFactory(company=personas.company_a, user_name="Ann Roamer", cost_centre="Sales")
    bo = SubscriptionFactory(company=personas.company_a, user_name="Bo Homebody", cost_centre="")
    _use(ann, start, "roaming", 10, 9000, "world")
    _use(ann, start, "roaming", 10, 1000, "eu")
    _use(ann, min(now, start + dt.timedelta(hours=1)), "voice", 30, 300)
    _use(bo, start, "data", 2048, 500)
    _use(bo, before, "data", 1024, 400)
    aggregate(UsageRecord.objects.filter(company=personas.company_a))
    # Another company's use never shows.
    stranger = SubscriptionFactory(company=personas.company_b, user_name="Stranger")
    _use(stranger, start, "voice", 999, 99900)
    aggregate(UsageRecord.objects.filter(company=personas.company_b))
    return ann, bo


def test_the_dashboard_shows_use_so_far_forecast_and_cost_centres_in_fixed_queries(
    usage, personas, login, django_assert_num_queries
):
    client = login(personas.admin_a)
    client.get(reverse("usage:dashboard"))  # warm the session
    with django_assert_num_queries(_page_queries(client, reverse("usage:dashboard"))):
        response = client.get(reverse("usage:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sales" in html and "Stranger" not in html
    assert 'data-testid="usage-chart"' in html and 'data-testid="chart-table"' in html
    assert 'data-testid="cost-centre-row"' in html
    assert "run rate" in html or "forecast" in html.lower()


def _page_queries(client, url):
    """The request's own count: the same page with twice the data must take as many."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def test_the_query_count_does_not_grow_with_the_data(usage, personas, login):
    client = login(personas.admin_a)
    for name in ("usage:dashboard", "usage:users", "usage:roaming"):
        url = reverse(name)
        client.get(url)
        small = _page_queries(client, url)
        for n in range(30):
            sub = SubscriptionFactory(company=personas.company_a, cost_centre=f"CC{n}")
            _use(sub, timezone.now(), "roaming", 1, 10, "eu")
        aggregate(UsageRecord.objects.filter(company=personas.company_a, subscription__cost_centre__startswith="CC"))
        assert _page_queries(client, url) == small, name
        UsageRecord.objects.filter(company=personas.company_a, subscription__cost_centre__startswith="CC").delete()


def test_the_selectors_read_one_query_each(usage, personas, django_assert_num_queries):
    this = timezone.localdate().replace(day=1)
    with django_assert_num_queries(1):
        rows = months(personas.company_a, this)
    assert len(rows) == 7
    assert rows[-1]["charge"] == 9000 + 1000 + 300 + 500
    assert rows[-1]["roaming_world_charge"] == 9000
    assert sum(row["data_quantity"] for row in rows[:-1]) == Decimal(1024)


def test_top_users_sort_and_who_roams(usage, personas, login):
    client = login(personas.admin_a)
    html = client.get(reverse("usage:users")).content.decode()
    assert html.index("Ann Roamer") < html.index("Bo Homebody")  # the largest cost first
    html = client.get(reverse("usage:users") + "?sort=-data").content.decode()
    assert html.index("Bo Homebody") < html.index("Ann Roamer")
    html = client.get(reverse("usage:roaming")).content.decode()
    assert "Ann Roamer" in html and "Bo Homebody" not in html
    html = client.get(reverse("usage:dashboard") + "?cost_centre=-").content.decode()
    assert "Bo Homebody" in html and "Ann Roamer" not in html


@pytest.mark.parametrize(
    "query", ["?month=1999-01", "?sort=drop+table", "?page=x", "?cost_centre=" + "x" * 99, "?month="]
)
def test_bad_filters_fall_back_never_500(usage, personas, login, query):
    client = login(personas.admin_a)
    for name in ("usage:dashboard", "usage:users", "usage:roaming"):
        assert client.get(reverse(name) + query).status_code == 200


def test_one_line_per_day_and_a_foreign_line_is_404(usage, personas, login):
    ann, _bo = usage
    client = login(personas.admin_a)
    response = client.get(reverse("usage:line", args=[ann.pk]))
    assert response.status_code == 200
    assert "Rest of the world" in response.content.decode()
    stranger = SubscriptionFactory(company=personas.company_b)
    assert client.get(reverse("usage:line", args=[stranger.pk])).status_code == 404


def test_the_forecast_is_the_run_rate():
    month = dt.date(2026, 11, 1)
    now = timezone.make_aware(dt.datetime(2026, 11, 11))  # 10 days of 30 gone
    result = forecast({"charge": 1000, "data_quantity": Decimal("10.00"), "records": 3}, month, now)
    assert result is not None and not result.final
    assert result.figures["charge"] == 3000
    assert result.figures["data_quantity"] == Decimal("30.00")
    over = forecast({"charge": 1000}, month, timezone.make_aware(dt.datetime(2026, 12, 2)))
    assert over is not None and over.final and over.figures["charge"] == 1000
    early = forecast({"charge": 100}, month, timezone.make_aware(dt.datetime(2026, 11, 1, 1)))
    assert early is not None and early.figures["charge"] == 3000  # at least one day gone
    assert forecast({"charge": 1}, month, timezone.make_aware(dt.datetime(2026, 10, 30))) is None


def test_danish(usage, personas, login):
    personas.admin_a.language = "da"
    personas.admin_a.save(update_fields=["language"])
    html = login(personas.admin_a).get(reverse("usage:dashboard")).content.decode()
    assert "Forbrug indtil nu" in html
    assert "Prognose for månedens udgang" in html
