import pytest
from django.urls import reverse

from subscriptions.models import Subscription
from subscriptions.tests.factories import ProductFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db
URL = reverse("subscriptions:index")


def names(response):
    return [s.user_name for s in response.context["page"].object_list]


@pytest.fixture
def staff_list(personas):
    basic = ProductFactory(code="a-basic", name="Basic")
    pro = ProductFactory(code="b-pro", name="Pro")
    SubscriptionFactory(
        company=personas.company_a,
        user_name="Søren Ørsted",
        email="so@firma.dk",
        phone_number="+4520123456",
        product=pro,
        iccid="8945010000000000001",
        cost_centre="IT",
    )
    SubscriptionFactory(
        company=personas.company_a,
        user_name="Anne Berg",
        email="anne@firma.dk",
        phone_number="+4531000000",
        product=basic,
        status=Subscription.Status.TERMINATED,
    )
    SubscriptionFactory(company=personas.company_b, user_name="Søren Fremmed", phone_number="+4520999999")
    return personas


@pytest.mark.parametrize(
    "q",
    [
        "20 12 34 56",
        "+4520123456",
        "4520123456",
        "20123456",
        "Ørsted",
        "ørsted",
        "so@firma",
        "8945010000000000001",
        "2012",
    ],
)
def test_it_finds_by_name_email_phone_in_any_format_and_iccid(staff_list, login, q):
    response = login(staff_list.admin_a).get(URL, {"q": q})
    assert names(response) == ["Søren Ørsted"]


def test_it_never_shows_another_companys_subscriptions(staff_list, login):
    response = login(staff_list.admin_a).get(URL, {"q": "Søren"})
    assert names(response) == ["Søren Ørsted"]


def test_it_filters_by_status_type_and_cost_centre(staff_list, login):
    client = login(staff_list.admin_a)
    assert names(client.get(URL, {"status": "terminated"})) == ["Anne Berg"]
    pro = staff_list.company_a and Subscription.all_companies.get(user_name="Søren Ørsted").product
    assert names(client.get(URL, {"product": pro.pk})) == ["Søren Ørsted"]
    assert names(client.get(URL, {"cost_centre": "IT"})) == ["Søren Ørsted"]


@pytest.mark.parametrize(
    "sort,expected",
    [
        ("name", ["Anne Berg", "Søren Ørsted"]),
        ("-name", ["Søren Ørsted", "Anne Berg"]),
        ("email", ["Anne Berg", "Søren Ørsted"]),
        ("-email", ["Søren Ørsted", "Anne Berg"]),
        ("phone", ["Søren Ørsted", "Anne Berg"]),
        ("-phone", ["Anne Berg", "Søren Ørsted"]),
        ("type", ["Anne Berg", "Søren Ørsted"]),
        ("-type", ["Søren Ørsted", "Anne Berg"]),
    ],
)
def test_it_sorts_both_ways(staff_list, login, sort, expected):
    assert names(login(staff_list.admin_a).get(URL, {"sort": sort})) == expected


def test_it_ignores_bad_filter_values(staff_list, login):
    response = login(staff_list.admin_a).get(
        URL, {"status": "nope", "product": "x", "sort": "drop table", "page": "-1"}
    )
    assert response.status_code == 200
    assert names(response) == ["Anne Berg", "Søren Ørsted"]


def test_it_answers_htmx_with_the_rows_only(staff_list, login):
    response = login(staff_list.admin_a).get(URL, {"q": "anne"}, headers={"HX-Request": "true"})
    assert b"<html" not in response.content
    assert b"Anne Berg" in response.content


def test_it_paginates_on_the_server(personas, login):
    SubscriptionFactory.create_batch(55, company=personas.company_a)
    response = login(personas.admin_a).get(URL, {"page": 2})
    assert len(response.context["page"].object_list) == 5


def test_it_offers_row_selection_bulk_update_and_filters_to_full_admins(staff_list, login):
    content = login(staff_list.admin_a).get(URL).content.decode()
    assert 'data-testid="bulk-panel"' in content and 'name="ids"' in content
    assert ">Pro</option>" in content


def test_it_hides_action_buttons_from_read_only_admins(staff_list, login):
    response = login(staff_list.readonly_a).get(URL)
    assert b'data-testid="create-subscription"' not in response.content
    assert b'data-testid="bulk-panel"' not in response.content
    assert b'name="ids"' not in response.content
    assert b"Anne Berg" in response.content


@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize("sort", ["name", "type", "-phone"])
def test_it_costs_a_fixed_number_of_queries(personas, login, django_assert_num_queries, size, sort):
    SubscriptionFactory.create_batch(size, company=personas.company_a, product=ProductFactory())
    client = login(personas.admin_a)
    client.get(URL)  # warm the session
    # session, user (membership from the session), the list version (subscriptions.kept_list), the counters (cost
    # centres and type counts in one query), the count of a search's matches, the page; the catalogue from the
    # process (selectors.catalogue_in_order) and no session save (at most one a minute:
    # portal.middleware.SlidingSessionMiddleware)
    with django_assert_num_queries(6):
        client.get(URL, {"sort": sort, "q": "bruger"})
    # The same page again, nothing changed: session, user, the list version; the body is kept.
    with django_assert_num_queries(3):
        client.get(URL, {"sort": sort, "q": "bruger"})


def test_it_sorts_by_type_in_catalogue_order_across_pages(personas, login, catalogue):
    SubscriptionFactory.create_batch(30, company=personas.company_a, product=catalogue["mobil-fri"])
    SubscriptionFactory.create_batch(30, company=personas.company_a, product=catalogue["mobil-basis-5"])
    client = login(personas.admin_a)
    first = client.get(URL, {"sort": "type"}).context["page"]
    second = client.get(URL, {"sort": "type", "page": 2}).context["page"]
    codes = [s.product.code for s in [*first.object_list, *second.object_list]]
    assert codes == ["mobil-basis-5"] * 30 + ["mobil-fri"] * 30
    names_in_type = [s.sort_name for s in first.object_list[:30]]
    assert names_in_type == sorted(names_in_type)
    back = client.get(URL, {"sort": "-type"}).context["page"]
    assert [s.product.code for s in back.object_list] == ["mobil-fri"] * 30 + ["mobil-basis-5"] * 20


def test_it_costs_one_more_query_per_extra_type_on_a_page(personas, login, catalogue, django_assert_num_queries):
    SubscriptionFactory.create_batch(30, company=personas.company_a, product=catalogue["mobil-fri"])
    SubscriptionFactory.create_batch(30, company=personas.company_a, product=catalogue["mobil-basis-5"])
    client = login(personas.admin_a)
    client.get(URL)
    with django_assert_num_queries(6):  # session, user, list version, counters, the two types' slices
        client.get(URL, {"sort": "type"})


def test_a_renamed_or_new_subscription_type_shows_on_the_next_page(personas, login, catalogue):
    # The list keeps the catalogue in the process (selectors.catalogue_in_order); a change is seen at once.
    SubscriptionFactory(company=personas.company_a, product=catalogue["mobil-fri"], user_name="Fri Bruger")
    client = login(personas.admin_a)
    assert "Mobile Unlimited" in client.get(URL).content.decode()
    product = catalogue["mobil-fri"]
    product.name = "Mobile Unlimited Max"
    product.save()
    ProductFactory(code="z-new", name="Brand New Plan")
    page = client.get(URL).content.decode()
    assert "Mobile Unlimited Max" in page
    assert "Brand New Plan" in page  # in the type filter and the bulk bar's new type


def test_a_type_added_where_the_cache_did_not_see_it_still_gets_its_name(personas, login, catalogue):
    # E.g. a seed run in another process on development's per-process cache: the signal's invalidation never
    # reaches this process, but a row of a type it does not know makes it read the catalogue again.
    from django.db.models.signals import post_save

    from subscriptions.models import Product
    from subscriptions.selectors import catalogue_changed

    client = login(personas.admin_a)
    client.get(URL)  # the catalogue is now kept in the process
    post_save.disconnect(catalogue_changed, sender=Product, dispatch_uid="subscriptions.catalogue")
    try:
        unseen = ProductFactory(code="z-unseen", name="Unseen Plan")
    finally:
        post_save.connect(catalogue_changed, sender=Product, dispatch_uid="subscriptions.catalogue")
    SubscriptionFactory(company=personas.company_a, product=unseen, user_name="Aase Unseen")
    row = next(line for line in client.get(URL).content.decode().splitlines() if "Aase Unseen" in line)
    assert "<td>Unseen Plan</td>" in row
