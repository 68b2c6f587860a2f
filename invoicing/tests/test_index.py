import pytest
from django.urls import reverse
from django.utils import translation

from common import formats
from invoicing.models import Invoice
from invoicing.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db
URL = reverse("invoice:index")


def test_it_lists_the_companys_invoices_only(personas, login):
    own = InvoiceFactory(company=personas.company_a, period="2026-10", total=123456)
    other = InvoiceFactory(company=personas.company_b, period="2026-10")

    page = login(personas.admin_a).get(URL).content.decode()

    assert str(own.number) in page and "DKK 1,234.56" in page
    assert str(other.number) not in page


@pytest.mark.parametrize("count", [3, 30])
def test_it_uses_a_fixed_number_of_queries(personas, login, django_assert_num_queries, count):
    for i in range(count):
        InvoiceFactory(company=personas.company_a, period=f"{2020 + i // 12}-{i % 12 + 1:02d}")
    client = login(personas.admin_a)
    client.get(URL)  # warm the session and the company
    # session, user (memberships from the session), years, count, page, chart;
    # no session save (at most one a minute: portal.middleware.SlidingSessionMiddleware)
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert response.status_code == 200


def test_it_filters_by_year_and_status(personas, login):
    paid = InvoiceFactory(company=personas.company_a, period="2025-03", status=Invoice.Status.PAID)
    issued = InvoiceFactory(company=personas.company_a, period="2026-03")
    client = login(personas.admin_a)

    by_year = client.get(URL, {"year": 2025}).content.decode()
    by_status = client.get(URL, {"status": "issued"}).content.decode()

    assert str(paid.number) in by_year and str(issued.number) not in by_year
    assert str(issued.number) in by_status and str(paid.number) not in by_status


def test_it_ignores_bad_filter_values(personas, login):
    InvoiceFactory(company=personas.company_a)
    response = login(personas.admin_a).get(URL, {"year": "abc", "status": "nope", "page": "x"})
    assert response.status_code == 200


def test_it_draws_a_stacked_chart_of_the_last_12_months(personas, login):
    from django.utils import timezone

    from invoicing.money import previous_period

    InvoiceFactory(
        company=personas.company_a,
        period=previous_period(timezone.localdate()),
        subscriptions_net=10000,
        usage_net=5000,
        one_off_net=2500,
    )

    page = login(personas.admin_a).get(URL).content.decode()

    assert 'data-testid="invoice-chart"' in page
    assert page.count('class="chart-subscriptions"') == 1
    assert page.count('class="chart-usage"') == 1 and page.count('class="chart-one-off"') == 1
    assert "<script" not in page.split('data-testid="invoice-chart"')[1].split("</svg>")[0]


def test_it_shows_an_empty_state(personas, login):
    page = login(personas.admin_a).get(URL).content.decode()
    assert "No invoices match" in page


def test_the_chart_has_its_figures_as_a_table(personas, login):
    from django.utils import timezone

    from invoicing.money import previous_period

    period = previous_period(timezone.localdate())
    InvoiceFactory(company=personas.company_a, period=period, subscriptions_net=10000, usage_net=5000, one_off_net=2500)
    page = login(personas.admin_a).get(URL).content.decode()
    assert 'aria-describedby="chart-desc"' in page
    table = page.split('data-testid="chart-table"')[1].split("</details>")[0]
    assert table.count("<tr>") == 13  # the header and twelve months
    with translation.override("en"):
        month = formats.period(period)  # "November 2026": the months are named, no longer "2026-11"
    row = table.split(f">{month}</th>")[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in row.split('class="text-end')[1:]] == [
        '">100.00',
        '">50.00',
        '">25.00',
        ' fw-semibold">175.00',
    ]
