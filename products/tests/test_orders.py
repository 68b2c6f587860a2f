"""Placing, approving, cancelling, fulfilling and invoicing product orders (the actions)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from audit.actor import Actor
from audit.models import AuditEvent
from companies.tests.factories import MembershipFactory
from invoicing.billing import run_billing
from invoicing.models import Charge, InvoiceLine
from products import actions
from products.actions import Delivery, WantedLine
from products.models import Enrolment, EsimActivation, Item, Order, ProductSettings
from products.tests.factories import ItemFactory
from products.zerotouch import FakeAdapter
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
STAFF = Actor.system("staff")
DELIVERY = Delivery(name="Alfa ApS", street="Vestergade 1", postcode="8000", city="Aarhus C")


def place(personas, lines, *, billing="one_off", by=None, capture=None):
    return actions.place_order(
        company=personas.company_a,
        lines=lines,
        delivery=DELIVERY,
        billing=billing,
        by=by or Actor(user=personas.admin_a, label="a"),
        approval_url=lambda token: f"https://portal.example/products/approve/{token}/",
    )


def ship_all(order, **kwargs):
    actions.pick_order(order=order, by=STAFF)
    return actions.ship_order(
        order=order,
        quantities={line.pk: line.outstanding for line in order.lines.all()},
        carrier="PostNord",
        tracking_number="0037071234",
        tracking_url="https://tracking.example/0037071234",
        by=STAFF,
        **kwargs,
    )


def test_it_places_an_order_reserves_stock_and_computes_vat(personas):
    phone = ItemFactory(price=400000, stock=5)
    order = place(personas, [WantedLine(item_id=phone.pk, quantity=2)])
    assert (order.state, order.total, order.vat, order.total_with_vat) == (
        Order.State.ACKNOWLEDGED,
        800000,
        200000,
        1000000,
    )
    phone.refresh_from_db()
    assert phone.stock == 3
    assert AuditEvent.objects.for_company(personas.company_a).filter(action="products.order_placed").exists()


@pytest.mark.parametrize(
    "lines, message",
    [
        ([], "basket is empty"),
        ([WantedLine(item_id=0, quantity=1)], "no longer for sale"),
        ([WantedLine(item_id=-1, quantity=0)], "between 1 and 50"),
    ],
)
def test_it_refuses_bad_lines_clearly(personas, lines, message):
    with pytest.raises(ValidationError, match=message):
        place(personas, lines)


def test_it_never_sells_more_than_is_in_stock(personas):
    phone = ItemFactory(stock=2)
    with pytest.raises(ValidationError, match="Not enough in stock"):
        place(personas, [WantedLine(item_id=phone.pk, quantity=2), WantedLine(item_id=phone.pk, quantity=1)])
    phone.refresh_from_db()
    assert phone.stock == 2 and not Order.objects.for_company(personas.company_a).exists()


def test_it_refuses_another_companys_subscription(personas):
    foreign = SubscriptionFactory(company=personas.company_b)
    sim = ItemFactory(kind=Item.Kind.SIM, price=0)
    with pytest.raises(ValidationError, match="company's subscriptions"):
        place(personas, [WantedLine(item_id=sim.pk, quantity=1, subscription_id=foreign.pk)])


def test_an_esim_needs_an_address_to_send_it_to(personas):
    esim = ItemFactory(kind=Item.Kind.ESIM, price=0)
    with pytest.raises(ValidationError, match="e-mail"):
        place(personas, [WantedLine(item_id=esim.pk, quantity=1)])


def test_above_the_limit_a_second_admin_approves_from_the_email(personas, django_capture_on_commit_callbacks):
    ProductSettings.objects.create(company=personas.company_a, approval_limit=500000)
    phone = ItemFactory(price=400000, stock=5)
    with django_capture_on_commit_callbacks(execute=True):
        order = place(personas, [WantedLine(item_id=phone.pk, quantity=2)])
    assert order.state == Order.State.HELD and order.needs_approval
    # Every other admin with full access to Products is asked; the one who ordered is not.
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert personas.admin_a.email not in recipients and personas.admin_ab.email in recipients
    assert personas.readonly_a.email not in recipients and personas.invoice_only_a.email not in recipients
    with pytest.raises(ValidationError, match="placed it yourself"):
        actions.decide_order(order=order, approve=True, user=personas.admin_a, by=STAFF)
    actions.decide_order(
        order=order, approve=True, user=personas.admin_ab, by=Actor(user=personas.admin_ab, label="ab")
    )
    order.refresh_from_db()
    assert (order.state, order.decided_by) == (Order.State.ACKNOWLEDGED, personas.admin_ab)
    assert AuditEvent.objects.for_company(personas.company_a).filter(action="products.order_approved").exists()
    with pytest.raises(ValidationError, match="already been decided"):
        actions.decide_order(order=order, approve=False, user=personas.admin_ab, by=STAFF)


def test_any_phone_needs_approval_when_the_company_says_so_and_refusing_restocks(personas):
    ProductSettings.objects.create(company=personas.company_a, approve_phones=True)
    phone = ItemFactory(price=100, stock=3)
    order = place(personas, [WantedLine(item_id=phone.pk, quantity=1)])
    assert order.state == Order.State.HELD and "phone" in order.approval_reason
    actions.decide_order(order=order, approve=False, user=personas.admin_ab, by=STAFF)
    order.refresh_from_db()
    phone.refresh_from_db()
    assert (order.state, order.refused, phone.stock) == (Order.State.CANCELLED, True, 3)


def test_without_a_second_admin_the_held_order_is_refused_with_why(personas):
    from companies.tests.factories import CompanyFactory

    company = CompanyFactory()
    only = MembershipFactory(company=company).user
    ProductSettings.objects.create(company=company, approve_phones=True)
    phone = ItemFactory()
    with pytest.raises(ValidationError, match="no other admin"):
        actions.place_order(
            company=company,
            lines=[WantedLine(item_id=phone.pk, quantity=1)],
            delivery=DELIVERY,
            billing="one_off",
            by=Actor(user=only, label="x"),
        )


def test_cancel_before_dispatch_only(personas):
    phone = ItemFactory(stock=2)
    order = place(personas, [WantedLine(item_id=phone.pk, quantity=1)])
    actions.cancel_order(order=order, reason="Wrong model", by=STAFF)
    phone.refresh_from_db()
    assert phone.stock == 2
    other = place(personas, [WantedLine(item_id=phone.pk, quantity=1)])
    actions.pick_order(order=other, by=STAFF)
    with pytest.raises(ValidationError, match="no longer be cancelled"):
        actions.cancel_order(order=other, by=STAFF)


def test_shipping_bills_one_off_lines_on_the_next_invoice(personas, django_capture_on_commit_callbacks):
    phone = ItemFactory(name="Phone X", price=400000)
    order = place(personas, [WantedLine(item_id=phone.pk, quantity=2)])
    with django_capture_on_commit_callbacks(execute=True):
        ship_all(order)
    actions.complete_order(order=order, by=STAFF)
    order.refresh_from_db()
    assert order.state == Order.State.COMPLETED
    charge = Charge.objects.for_company(personas.company_a).get()
    assert charge.amount == 800000 and order.reference in charge.description
    assert any("on its way" in m.subject for m in mail.outbox)
    today = charge.date
    run_billing(f"{today:%Y-%m}", by=STAFF, issue_date=today + dt.timedelta(days=31))
    line = InvoiceLine.objects.filter(kind=InvoiceLine.Kind.ONE_OFF, description=charge.description).get()
    assert line.amount == 800000


def test_instalments_are_one_charge_a_month_that_add_up(personas):
    phone = ItemFactory(price=100001)
    order = place(personas, [WantedLine(item_id=phone.pk, quantity=1)], billing="months_12")
    ship_all(order)
    charges = list(Charge.objects.for_company(personas.company_a).order_by("date"))
    assert len(charges) == 12 and sum(c.amount for c in charges) == 100001
    assert len({(c.date.year, c.date.month) for c in charges}) == 12
    assert all(c.date.day == 1 for c in charges[1:])
    assert "rate 12 af 12" in charges[-1].description  # in the company's invoice language (Danish)


def test_partial_delivery_then_close_puts_the_rest_back(personas):
    phone = ItemFactory(stock=5)
    order = place(personas, [WantedLine(item_id=phone.pk, quantity=3)])
    actions.pick_order(order=order, by=STAFF)
    line = order.lines.get()
    with pytest.raises(ValidationError, match="tracking"):
        actions.ship_order(order=order, quantities={line.pk: 1}, by=STAFF)
    with pytest.raises(ValidationError, match="more than"):
        actions.ship_order(
            order=order,
            quantities={line.pk: 4},
            carrier="GLS",
            tracking_number="1",
            tracking_url="https://t.example/1",
            by=STAFF,
        )
    actions.ship_order(
        order=order,
        quantities={line.pk: 1},
        carrier="GLS",
        tracking_number="1",
        tracking_url="https://t.example/1",
        by=STAFF,
    )
    order.refresh_from_db()
    assert order.state == Order.State.PARTIAL
    actions.complete_order(order=order, by=STAFF)
    order.refresh_from_db()
    phone.refresh_from_db()
    assert (order.state, phone.stock) == (Order.State.PARTIAL, 4)
    assert Charge.objects.for_company(personas.company_a).get().amount == phone.price  # only what was sent


def test_hardware_returns_within_14_days_restock_and_credit(personas):
    phone = ItemFactory(stock=5, price=300000)
    order = place(personas, [WantedLine(item_id=phone.pk, quantity=2)])
    ship_all(order)
    line = order.lines.get()
    actions.request_return(order=order, line_id=line.pk, quantity=1, reason="Broken screen", by=STAFF)
    phone.refresh_from_db()
    assert phone.stock == 4
    assert sorted(c.amount for c in Charge.objects.for_company(personas.company_a)) == [-300000, 600000]
    with pytest.raises(ValidationError, match="more than was delivered"):
        actions.request_return(order=order, line_id=line.pk, quantity=2, reason="x", by=STAFF)
    order.shipments.update(shipped_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(ValidationError, match="within 14 days"):
        actions.request_return(order=order, line_id=line.pk, quantity=1, reason="x", by=STAFF)


def test_esim_goes_to_the_employee_and_is_reissued_on_a_new_device(
    personas, django_capture_on_commit_callbacks, client
):
    esim = ItemFactory(kind=Item.Kind.ESIM, price=0, stock=100)
    order = place(personas, [WantedLine(item_id=esim.pk, quantity=1, employee_email="mette@alfa.dk")])
    actions.pick_order(order=order, by=STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        actions.ship_order(order=order, quantities={order.lines.get().pk: 1}, by=STAFF)  # no parcel for an eSIM
    message = next(m for m in mail.outbox if m.to == ["mette@alfa.dk"])
    url = next(word for word in message.body.split() if "/products/esim/" in word)
    path = url[url.index("/products/") :]
    page = client.get(path)  # a mail scanner's GET reveals nothing
    assert page.status_code == 200 and "LPA:1$" not in page.content.decode()
    assert EsimActivation.objects.get().revealed_at is None
    shown = client.post(path).content.decode()
    assert "LPA:1$" in shown and "<svg" in shown
    activation = EsimActivation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.reissue_esim(order=order, activation_id=activation.pk, by=STAFF)
    assert client.get(path).status_code == 404  # the old link stops working
    assert EsimActivation.objects.filter(superseded_at__isnull=True).count() == 1
    from outbox.models import OutboxMessage

    assert sum("mette@alfa.dk" in m.to for m in OutboxMessage.objects.all()) == 2


def test_devices_are_registered_for_zero_touch_and_shown(personas, django_capture_on_commit_callbacks):
    ProductSettings.objects.create(company=personas.company_a, zero_touch_provider="apple", zero_touch_org_id="ABM-1")
    phone = ItemFactory(stock=5)
    order = place(personas, [WantedLine(item_id=phone.pk, quantity=2)])
    line = order.lines.get()
    with pytest.raises(ValidationError, match="one serial"):
        ship_all(order, serials={line.pk: ["SN1"]})
    with django_capture_on_commit_callbacks(execute=True):
        actions.ship_order(
            order=order,
            quantities={line.pk: 2},
            carrier="GLS",
            tracking_number="1",
            tracking_url="https://t.example/1",
            serials={line.pk: ["SN1", "FAIL2"]},
            by=STAFF,
        )
    statuses = dict(Enrolment.objects.values_list("serial", "status"))
    assert statuses == {"SN1": "registered", "FAIL2": "failed"}
    assert ("apple", "ABM-1", "SN1") in FakeAdapter.registered


@pytest.mark.parametrize(
    "grant",
    [{"read_only_areas": ["products"]}, {"cost_centres": ["Sales"]}],
    ids=["read-only-on-products", "cost-centre-limited"],
)
def test_only_an_admin_who_may_change_products_approves(personas, grant):
    """A grant read-only on Products (a per-area level) or limited to cost centres cannot open the area, so
    it is neither asked nor able to approve from the e-mail."""
    ProductSettings.objects.create(company=personas.company_a, approve_phones=True)
    limited = MembershipFactory(company=personas.company_a, user__email="limited@alfa.dk", **grant).user
    order = place(personas, [WantedLine(item_id=ItemFactory(stock=3).pk, quantity=1)])
    assert limited.pk not in [m.user_id for m in actions.approvers(order)]
    with pytest.raises(ValidationError, match="may not approve"):
        actions.decide_order(order=order, approve=True, user=limited, by=STAFF)


def test_a_closed_partial_order_is_not_closed_or_shipped_again(personas):
    """Closing puts what was never sent back once: a second close (or a shipment after it) would restock twice."""
    phone = ItemFactory(stock=5)
    order = place(personas, [WantedLine(item_id=phone.pk, quantity=3)])
    actions.pick_order(order=order, by=STAFF)
    line = order.lines.get()
    parcel = {"carrier": "GLS", "tracking_number": "1", "tracking_url": "https://t.example/1"}
    actions.ship_order(order=order, quantities={line.pk: 1}, by=STAFF, **parcel)
    actions.complete_order(order=order, by=STAFF)
    with pytest.raises(ValidationError, match="in progress"):
        actions.complete_order(order=order, by=STAFF)
    with pytest.raises(ValidationError, match="Pick the order"):
        actions.ship_order(order=order, quantities={line.pk: 1}, by=STAFF, **parcel)
    phone.refresh_from_db()
    assert phone.stock == 4
    assert Charge.objects.for_company(personas.company_a).count() == 1


def test_only_what_was_shipped_in_the_last_14_days_can_be_returned(personas):
    """Two parcels of one line: the first, older than 14 days, is past its return window even though the
    second is not."""
    phone = ItemFactory(stock=5, price=1000)
    order = place(personas, [WantedLine(item_id=phone.pk, quantity=2)])
    actions.pick_order(order=order, by=STAFF)
    line = order.lines.get()
    parcel = {"carrier": "GLS", "tracking_number": "1", "tracking_url": "https://t.example/1"}
    first = actions.ship_order(order=order, quantities={line.pk: 1}, by=STAFF, **parcel)
    first.__class__.objects.filter(pk=first.pk).update(shipped_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    actions.ship_order(order=order, quantities={line.pk: 1}, by=STAFF, **parcel)
    with pytest.raises(ValidationError, match="more than was delivered"):
        actions.request_return(order=order, line_id=line.pk, quantity=2, reason="x", by=STAFF)
    actions.request_return(order=order, line_id=line.pk, quantity=1, reason="Broken", by=STAFF)
    phone.refresh_from_db()
    assert phone.stock == 4
