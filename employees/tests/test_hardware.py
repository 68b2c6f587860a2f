"""An employee asks for a phone or accessory from the Products catalogue: a Products order on their behalf,
always held for an admin, decided from the e-mail's confirm page, the employee told at every step."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.actor import Actor
from audit.models import AuditEvent
from companies.models import Membership
from employees.tests.conftest import sent
from products import actions as products_actions
from products.models import Item, Order, ProductSettings
from products.tests.factories import ItemFactory
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone(db):
    return ItemFactory(code="iphone", name="iPhone 16", name_da="iPhone 16", price=600000, stock=3)


def _ask(client, sub, chosen, capture, **data):
    form = {"item": chosen.pk, "deliver_to": "company", "reason": "My phone broke", **data}
    with capture(execute=True):
        return client.post(f"/employee/{sub.pk}/hardware/", form)


def _approval_link(message) -> str:
    return re.search(r"https?://\S+(/products/approve/\S+/)", message.body).group(1)


def test_the_catalogue_shows_what_the_company_allows(employee_client, anna, phone):
    ItemFactory(code="router-5g", kind=Item.Kind.ROUTER, name="5G router")
    ItemFactory(code="old", name="Old phone", is_active=False)
    page = employee_client("anna@alfa.dk").get(f"/employee/{anna.pk}/hardware/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="employee-item-iphone"' in html
    assert "6,000.00" in html and "7,500.00" in html  # excl. and incl. VAT
    # Routers are not in the default kinds; an item no longer for sale is not shown.
    assert "router-5g" not in html and "Old phone" not in html


def test_a_request_is_always_held_and_mails_every_products_admin(
    employee_client, anna, phone, personas, django_capture_on_commit_callbacks
):
    client = employee_client("anna@alfa.dk")
    before = len(sent())
    response = _ask(client, anna, phone, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    order = Order.objects.for_company(personas.company_a).get()
    # No limit set, no phone rule: held anyway, because an employee asked.
    assert (order.state, order.needs_approval, order.placed_by) == ("held", True, None)
    assert order.approval_reason.startswith("Requested by an employee")
    assert (order.requested_by_subscription, order.requested_by_email, order.note) == (
        anna,
        "anna@alfa.dk",
        "My phone broke",
    )
    assert order.placed_by_label == "requested by Anna Jensen"
    [line] = order.lines.all()
    assert (line.item, line.quantity, line.subscription) == (phone, 1, anna)
    assert order.delivery_street == personas.company_a.street
    phone.refresh_from_db()
    assert phone.stock == 2  # reserved as place_order does
    mails = {m.to[0]: m for m in sent()[before:]}
    # Every admin with full access to Products (nobody placed it): not the read-only or invoice-only admin.
    assert set(mails) == {personas.admin_a.email, personas.admin_ab.email}
    assert "Anna Jensen (anna@alfa.dk)" in mails[personas.admin_a.email].body
    assert "My phone broke" in mails[personas.admin_a.email].body
    events = AuditEvent.objects.unscoped().filter(actor_label="anna@alfa.dk")
    assert {"products.order_placed", "employee.hardware_requested"} <= set(events.values_list("action", flat=True))
    # The employee sees it waiting.
    page = client.get(f"/employee/{anna.pk}/").content.decode()
    assert order.reference in page and "Awaiting approval" in page


def test_a_request_is_held_even_under_a_generous_limit(
    employee_client, anna, personas, django_capture_on_commit_callbacks
):
    ProductSettings.objects.create(company=personas.company_a, approval_limit=10**9, approve_phones=False)
    charger = ItemFactory(kind=Item.Kind.ACCESSORY, price=10000)
    assert _ask(employee_client("anna@alfa.dk"), anna, charger, django_capture_on_commit_callbacks).status_code == 302
    assert Order.objects.for_company(personas.company_a).get().state == "held"


def test_an_admin_approves_from_the_email_and_the_employee_is_told(
    employee_client, anna, phone, personas, client, django_capture_on_commit_callbacks
):
    employee = employee_client("anna@alfa.dk")
    before = len(sent())
    _ask(employee, anna, phone, django_capture_on_commit_callbacks)
    order = Order.objects.for_company(personas.company_a).get()
    link = _approval_link(next(m for m in sent()[before:] if m.to == [personas.admin_a.email]))
    page = client.get(link)
    assert page.status_code == 200 and "Requested by Anna Jensen (anna@alfa.dk)" in page.content.decode()
    before = len(sent())
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link, {"decision": "approve"}).status_code == 200
    order.refresh_from_db()
    assert (order.state, order.decided_by) == ("acknowledged", personas.admin_a)
    [told] = sent()[before:]
    assert told.to == ["anna@alfa.dk"] and "approved" in told.subject
    assert AuditEvent.objects.unscoped().filter(action="products.order_approved", target_id=str(order.pk)).exists()
    assert "Acknowledged" in employee.get(f"/employee/{anna.pk}/hardware/").content.decode()
    # Shipping tells the employee too.
    products_actions.pick_order(order=order, by=Actor.system("staff"))
    with django_capture_on_commit_callbacks(execute=True):
        products_actions.ship_order(
            order=order,
            quantities={line.pk: 1 for line in order.lines.all()},
            carrier="PostNord",
            tracking_number="00370",
            tracking_url="https://tracking.example/00370",
            by=Actor.system("staff"),
        )
    assert any(m.to == ["anna@alfa.dk"] and "on its way" in m.subject for m in sent())
    # The admins' pages say who asked.
    from django.test import Client

    admin = Client()
    admin.force_login(personas.admin_a, backend="django.contrib.auth.backends.ModelBackend")
    assert "requested by Anna Jensen" in admin.get("/products/orders/").content.decode()
    assert "requested by Anna Jensen" in admin.get(f"/products/orders/{order.pk}/").content.decode()


def test_refusal_restocks_and_tells_the_employee_in_danish(
    employee_client, anna, phone, personas, client, django_capture_on_commit_callbacks
):
    employee = employee_client("anna@alfa.dk")
    employee.cookies["django_language"] = "da"
    before = len(sent())
    _ask(employee, anna, phone, django_capture_on_commit_callbacks)
    order = Order.objects.for_company(personas.company_a).get()
    assert order.requested_language == "da"
    link = _approval_link(next(m for m in sent()[before:] if m.to == [personas.admin_a.email]))
    before = len(sent())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link, {"decision": "refuse"})
    order.refresh_from_db()
    phone.refresh_from_db()
    assert (order.state, order.refused, phone.stock) == ("cancelled", True, 3)
    [told] = sent()[before:]
    assert told.to == ["anna@alfa.dk"] and "afvist" in told.subject
    assert AuditEvent.objects.unscoped().filter(action="products.order_refused", target_id=str(order.pk)).exists()
    # A second click is refused.
    assert client.post(link, {"decision": "approve"}).status_code == 409


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"item": ""}, "Choose an item."),
        ({"item": "999999"}, "Choose one of the items shown."),
        ({"reason": ""}, "Tell your admin why you need it."),
        ({"deliver_to": "own", "street": "", "postcode": "", "city": ""}, "Enter the delivery address."),
        ({"deliver_to": "moon"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_made(
    employee_client, anna, phone, data, message, django_capture_on_commit_callbacks
):
    client = employee_client("anna@alfa.dk")
    before = len(sent())
    response = _ask(client, anna, phone, django_capture_on_commit_callbacks, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Order.objects.unscoped().exists()
    assert len(sent()) == before
    phone.refresh_from_db()
    assert phone.stock == 3


def test_a_kind_the_company_does_not_allow_is_refused(
    employee_client, anna, personas, django_capture_on_commit_callbacks
):
    router = ItemFactory(kind=Item.Kind.ROUTER)
    response = _ask(employee_client("anna@alfa.dk"), anna, router, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert not Order.objects.unscoped().exists()
    # And in the action too (the form is not the only guard).
    with pytest.raises(products_actions.ValidationError, match="does not let employees ask for this item"):
        products_actions.place_order(
            company=personas.company_a,
            lines=[products_actions.WantedLine(item_id=router.pk, quantity=1, subscription_id=anna.pk)],
            delivery=products_actions.Delivery("Anna", "Vej 1", "8000", "Aarhus"),
            billing="one_off",
            by=Actor(user=None, label="anna@alfa.dk"),
            requested_by=products_actions.Requester(subscription=anna, email="anna@alfa.dk", language="en"),
        )


def test_the_company_can_switch_employee_requests_off(
    employee_client, anna, phone, personas, django_capture_on_commit_callbacks
):
    ProductSettings.objects.create(company=personas.company_a, employees_may_request=False)
    client = employee_client("anna@alfa.dk")
    page = client.get(f"/employee/{anna.pk}/hardware/")
    assert 'data-testid="employee-hardware-closed"' in page.content.decode()
    assert _ask(client, anna, phone, django_capture_on_commit_callbacks).status_code == 400
    assert not Order.objects.unscoped().exists()


def test_the_action_refuses_more_than_one_item_or_anothers_subscription(personas, anna, bo, phone):
    requester = products_actions.Requester(subscription=anna, email="anna@alfa.dk", language="en")

    def place(lines):
        return products_actions.place_order(
            company=personas.company_a,
            lines=lines,
            delivery=products_actions.Delivery("Anna", "Vej 1", "8000", "Aarhus"),
            billing="one_off",
            by=Actor(user=None, label="anna@alfa.dk"),
            requested_by=requester,
        )

    W = products_actions.WantedLine
    with pytest.raises(products_actions.ValidationError, match="one item at a time"):
        place([W(item_id=phone.pk, quantity=2, subscription_id=anna.pk)])
    with pytest.raises(products_actions.ValidationError, match="your own subscription"):
        place([W(item_id=phone.pk, quantity=1, subscription_id=bo.pk)])
    assert not Order.objects.unscoped().exists()


def test_without_a_products_admin_the_request_is_refused(
    employee_client, anna, phone, personas, django_capture_on_commit_callbacks
):
    Membership.objects.filter(company=personas.company_a).update(areas=["invoice"])
    response = _ask(employee_client("anna@alfa.dk"), anna, phone, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "Nobody at your company can approve this" in response.content.decode()
    assert not Order.objects.unscoped().exists()
    phone.refresh_from_db()
    assert phone.stock == 3


def test_an_employee_sees_only_their_own_requests(
    employee_client, anna, bo, phone, personas, django_capture_on_commit_callbacks
):
    _ask(employee_client("bo@alfa.dk"), bo, phone, django_capture_on_commit_callbacks)
    bos = Order.objects.unscoped().get()
    anna_client = employee_client("anna@alfa.dk")
    assert bos.reference not in anna_client.get(f"/employee/{anna.pk}/hardware/").content.decode()
    assert bos.reference not in anna_client.get(f"/employee/{anna.pk}/").content.decode()
    # Bo's subscription id is 404 for Anna, GET and POST; nothing is made on it.
    assert anna_client.get(f"/employee/{bo.pk}/hardware/").status_code == 404
    assert _ask(anna_client, bo, phone, django_capture_on_commit_callbacks).status_code == 404
    assert Order.objects.unscoped().count() == 1
    # A subscription handed on to a new employee does not show the previous user's requests.
    bo.email = "new@alfa.dk"
    bo.save()
    assert bos.reference not in employee_client("new@alfa.dk").get(f"/employee/{bo.pk}/hardware/").content.decode()


def test_the_catalogue_page_has_a_fixed_query_count(
    employee_client, anna, personas, django_capture_on_commit_callbacks
):
    client = employee_client("anna@alfa.dk")
    _ask(client, anna, ItemFactory(stock=50), django_capture_on_commit_callbacks)  # one of each row already

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/employee/{anna.pk}/hardware/").status_code == 200
        return len(queries)

    before = count()
    for _n in range(6):
        item = ItemFactory(kind=Item.Kind.ACCESSORY, stock=50)
        _ask(client, anna, item, django_capture_on_commit_callbacks)
    assert Order.objects.unscoped().count() == 7
    assert count() == before


def test_danish(employee_client, anna, phone):
    client = employee_client("anna@alfa.dk")
    page = client.get(f"/employee/{anna.pk}/hardware/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Bestil en telefon eller noget tilbehør" in page


def test_a_second_subscription_of_another_company_orders_there(
    employee_client, anna, phone, personas, products, django_capture_on_commit_callbacks
):
    second = SubscriptionFactory(company=personas.company_b, email="anna@alfa.dk", product=products[0])
    client = employee_client("anna@alfa.dk")
    assert _ask(client, second, phone, django_capture_on_commit_callbacks).status_code == 302
    assert Order.objects.for_company(personas.company_b).get().requested_by_subscription == second
