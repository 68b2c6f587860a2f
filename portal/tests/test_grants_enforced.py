"""The server enforces levels per area and cost-centre limits everywhere: pages, exports, bulk actions, the
creation guide, the invoice details; foreign cost centres' ids answer 404; query counts stay fixed."""

import csv
import io

import pytest
from django.urls import reverse

from companies.models import Company, Membership
from companies.tests.factories import CompanyFactory, MembershipFactory
from invoicing.models import InvoiceSection
from invoicing.tests.factories import InvoiceFactory
from subscriptions import kept_list
from subscriptions.models import Subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(personas):
    """A department head of Alfa: Subscriptions and Invoices, full access, only the cost centre Lager."""
    return MembershipFactory(
        company=personas.company_a,
        areas=["subscriptions", "invoice"],
        cost_centres=["Lager"],
        user__email="lager@alfa.dk",
    ).user


@pytest.fixture
def subs(personas):
    mine = SubscriptionFactory(company=personas.company_a, user_name="Lene Lager", cost_centre="Lager")
    theirs = SubscriptionFactory(company=personas.company_a, user_name="Sune Salg", cost_centre="Salg")
    none = SubscriptionFactory(company=personas.company_a, user_name="Ingen Sted", cost_centre="")
    return mine, theirs, none


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def test_a_limited_admin_lists_searches_and_exports_only_their_cost_centres(head, subs, login):
    client = login(head)
    page = client.get(reverse("subscriptions:index")).text
    assert "Lene Lager" in page and "Sune Salg" not in page and "Ingen Sted" not in page
    assert "Sune" not in client.get(reverse("subscriptions:index"), {"q": "sune"}).text
    assert "Sune" not in client.get(reverse("subscriptions:index"), {"cost_centre": "Salg"}).text
    assert "Sune" not in client.get(reverse("subscriptions:index"), {"sort": "type"}).text
    rows = _csv(client.get(reverse("subscriptions:export")))
    assert [r[0] for r in rows[1:]] == ["Lene Lager"]


def test_another_cost_centres_subscription_answers_404_on_every_page(head, subs, login):
    _mine, theirs, none = subs
    client = login(head)
    for sub in (theirs, none):
        for name in ("detail", "reveal", "cancel", "sim", "add_ons", "blocks", "suspend", "change_product"):
            url = reverse(f"subscriptions:{name}", kwargs={"subscription_id": sub.pk})
            assert client.get(url).status_code in (404, 405), url
            assert client.post(url, {}).status_code == 404, url


def test_a_bulk_update_never_reaches_another_cost_centre(head, subs, login):
    mine, theirs, _none = subs
    client = login(head)
    data = {"action": "cost_centre", "ids": [mine.pk, theirs.pk], "cost_centre_value": "Lager"}
    preview = client.post(reverse("subscriptions:bulk"), data)
    assert preview.status_code == 200
    assert preview.context["preview"].changeable == [] or theirs.pk not in preview.context["preview"].changeable
    moved = client.post(
        reverse("subscriptions:bulk"),
        {"action": "cost_centre", "ids": [mine.pk], "cost_centre_value": "Salg", "apply": "1", "token": "x"},
    )
    assert moved.status_code == 400
    assert "Choose one of your cost centres: Lager." in moved.text
    assert Subscription.all_companies.get(pk=mine.pk).cost_centre == "Lager"
    assert Subscription.all_companies.get(pk=theirs.pk).cost_centre == "Salg"


def test_a_limited_admin_cannot_move_a_subscription_out_of_their_cost_centres(head, subs, login):
    mine, _theirs, _none = subs
    url = reverse("subscriptions:detail", kwargs={"subscription_id": mine.pk})
    data = {"details-user_name": "Lene Lager", "details-email": "", "details-cost_centre": "Salg"}
    response = login(head).post(url, data)
    assert response.status_code == 400
    assert Subscription.all_companies.get(pk=mine.pk).cost_centre == "Lager"


def test_the_creation_guide_offers_only_their_cost_centres(head, login):
    client = login(head)
    page = client.get(reverse("subscriptions:create_user")).text
    assert '<option value="Lager"' in page
    response = client.post(reverse("subscriptions:create_user"), {"user_name": "Ny", "cost_centre": "Salg"})
    assert response.status_code in (200, 400)
    assert "Select a valid choice" in response.text


def test_the_invoice_shows_only_their_lines_and_refuses_the_whole_company_documents(head, personas, login):
    invoice = InvoiceFactory(company=personas.company_a, lines=3)
    sections = list(InvoiceSection.objects.filter(invoice=invoice).order_by("user_name"))
    InvoiceSection.objects.filter(pk=sections[0].pk).update(cost_centre="Lager")
    InvoiceSection.objects.filter(pk=sections[1].pk).update(cost_centre="Salg")
    client = login(head)
    page = client.get(reverse("invoice:detail", args=[invoice.pk])).text
    assert "Bruger 00000" in page and "Bruger 00001" not in page and "Bruger 00002" not in page
    assert 'data-testid="invoice-limited-total"' in page and 'data-testid="invoice-total"' not in page
    assert 'data-testid="download-pdf"' not in page
    body = b"".join(client.get(reverse("invoice:details_csv", args=[invoice.pk])).streaming_content).decode()
    assert "Bruger 00000" in body and "Bruger 00001" not in body
    for name in ("pdf", "ubl", "oioubl"):
        refused = client.get(reverse(f"invoice:{name}", args=[invoice.pk]))
        assert refused.status_code == 403
        assert 'data-testid="forbidden-limited"' in refused.text and "Lager" in refused.text
    index = client.get(reverse("invoice:index")).text
    assert 'data-testid="invoice-limited"' in index and 'data-testid="invoice-chart"' not in index


@pytest.mark.parametrize(
    "url_name", ["tickets:index", "numbers:index", "audit:list", "api_clients:list", "invoice:einvoice"]
)
def test_whole_company_pages_are_refused_to_a_limited_admin_with_an_explanation(head, login, url_name):
    Membership.objects.filter(user=head).update(areas=["subscriptions", "invoice", "tickets", "numbers"])
    response = login(head).get(reverse(url_name))
    assert response.status_code == 403
    assert 'data-testid="forbidden-limited"' in response.text


def test_read_only_is_per_area(personas, login, subs):
    mine, _theirs, _none = subs
    user = MembershipFactory(
        company=personas.company_a, areas=["subscriptions", "tickets"], read_only_areas=["subscriptions"]
    ).user
    client = login(user)
    url = reverse("subscriptions:cancel", kwargs={"subscription_id": mine.pk})
    refused = client.post(url, {})
    assert refused.status_code == 403 and "Your access is read only" in refused.text
    assert "You can see Subscriptions in Alfa ApS, but not change it." in refused.text
    assert client.get(reverse("subscriptions:index")).status_code == 200
    assert client.get(reverse("tickets:create")).status_code == 200


def _limited_and_unlimited_list_queries(personas, login, django_assert_num_queries, n: int) -> None:
    for i in range(n):
        SubscriptionFactory(company=personas.company_a, cost_centre="Lager" if i % 2 else "Salg")
    head = MembershipFactory(company=personas.company_a, areas=["subscriptions"], cost_centres=["Lager"]).user
    for user in (personas.admin_a, head):
        client = login(user)
        client.get(reverse("subscriptions:index"))
        kept_list.forget()  # rendered afresh
        with django_assert_num_queries(LIST_QUERIES):
            assert client.get(reverse("subscriptions:index")).status_code == 200
        with django_assert_num_queries(KEPT_LIST_QUERIES):
            assert client.get(reverse("subscriptions:index")).status_code == 200


# session, user, the list version (subscriptions.kept_list), counters (cost centres and per-type counts), the rows
LIST_QUERIES = 5
KEPT_LIST_QUERIES = 3  # session, user, the list version: the body is kept


@pytest.mark.parametrize("n", [2, 30])
def test_the_list_costs_the_same_queries_limited_or_not_whatever_the_size(
    personas, login, django_assert_num_queries, n
):
    _limited_and_unlimited_list_queries(personas, login, django_assert_num_queries, n)


@pytest.mark.parametrize("users", [1, 20])
def test_the_limited_invoice_details_cost_a_fixed_number_of_queries(personas, login, django_assert_num_queries, users):
    invoice = InvoiceFactory(company=personas.company_a, lines=users)
    InvoiceSection.objects.filter(invoice=invoice).update(cost_centre="Lager")
    head = MembershipFactory(company=personas.company_a, areas=["invoice"], cost_centres=["Lager"]).user
    client = login(head)
    url = reverse("invoice:detail", args=[invoice.pk])
    client.get(url)
    # session, user, invoice, count, sections, lines, their total
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def _group(subsidiaries: int) -> tuple[Company, Membership]:
    parent = CompanyFactory(name="Koncern A/S")
    main = MembershipFactory(company=parent, is_main_admin=True)
    for i in range(subsidiaries):
        child = CompanyFactory(name=f"Datter {i} ApS", parent=parent)
        MembershipFactory(company=child)
    return parent, main


@pytest.mark.parametrize("subsidiaries", [1, 6])
def test_the_admins_page_costs_a_fixed_number_of_queries_whatever_the_subsidiaries(
    login, django_assert_num_queries, subsidiaries
):
    _parent, main = _group(subsidiaries)
    client = login(main.user)
    assert client.get(reverse("portal:admins")).status_code == 200
    # session, user, the tree (two levels: two queries, and one more that finds no grandchildren),
    # admins + their pending requests, invitations, the main admins covering them (one query), this
    # quarter's review
    with django_assert_num_queries(ADMINS_PAGE_QUERIES):
        page = client.get(reverse("portal:admins"))
    assert "has only one main admin" in page.text


ADMINS_PAGE_QUERIES = 9


def test_the_review_page_get_writes_nothing(personas, login, django_assert_num_queries):
    from accounts.models import AccessReview

    Membership.objects.filter(user=personas.admin_a, company=personas.company_a).update(is_main_admin=True)
    client = login(personas.admin_a)
    page = client.get(reverse("portal:admins_review"))
    assert page.status_code == 200 and 'data-testid="review-start"' in page.text
    assert not AccessReview.objects.filter(company=personas.company_a).exists()
    client.post(reverse("portal:admins_review"))
    assert AccessReview.objects.filter(company=personas.company_a).count() == 1


def test_an_api_client_gets_full_access_only_to_areas_the_admin_has_full(personas, login):
    from api.models import APIClient

    user = MembershipFactory(
        company=personas.company_a, areas=["subscriptions", "tickets"], read_only_areas=["subscriptions"]
    ).user
    client = login(user)
    url = reverse("api_clients:list")
    data = {"client-name": "HR", "client-access": "full", "client-areas": ["subscriptions"]}
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "You have read-only access to Subscriptions" in refused.text
    assert not APIClient.all_companies.exists()
    assert client.post(url, {**data, "client-areas": ["tickets"]}).status_code == 201


def test_a_limited_admin_sees_only_their_cost_centres_employee_requests(head, subs, login):
    from employees.tests.factories import EmployeeRequestFactory

    mine, theirs, _none = subs
    own = EmployeeRequestFactory(subscription=mine, company=mine.company)
    other = EmployeeRequestFactory(subscription=theirs, company=theirs.company)
    client = login(head)
    assert client.get(reverse("employee_requests:detail", kwargs={"request_id": own.pk})).status_code == 200
    assert client.get(reverse("employee_requests:detail", kwargs={"request_id": other.pk})).status_code == 404


def test_the_overview_shows_a_limited_admin_no_whole_company_amounts(head, personas, login):
    InvoiceFactory(company=personas.company_a, total=123456)
    page = login(head).get(reverse("portal:overview")).text
    assert "Latest invoices" in page
    assert "1,234.56" not in page and "1.234,56" not in page
