"""Returns of instalment orders: the returned units cost nothing over the whole plan (not the full price
credited while the instalments keep coming); one-off orders still get the returned units credited."""

import datetime as dt

import pytest
from django.urls import reverse

from audit.actor import Actor
from invoicing.billing import run_billing
from invoicing.models import Charge, ChargeWithdrawal, InvoiceLine
from products import actions
from products.actions import Delivery, WantedLine, charge_source
from products.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db
STAFF = Actor.system("staff")
DELIVERY = Delivery(name="Alfa ApS", street="Vestergade 1", postcode="8000", city="Aarhus C")
PRICE = 100_001  # not divisible by 12: the rounding must still come out exact


def _period(months_ahead: int) -> str:
    today = dt.date.today()
    index = today.month - 1 + months_ahead
    return f"{today.year + index // 12}-{index % 12 + 1:02d}"


def bill(month: int) -> None:
    """The billing run of the month ``month`` months from now."""
    period = _period(month)
    first = dt.date.fromisoformat(f"{period}-01")
    run_billing(period, by=STAFF, issue_date=first + dt.timedelta(days=40))


def shipped(personas, quantity, billing="months_12"):
    phone = ItemFactory(stock=10, price=PRICE)
    order = actions.place_order(
        company=personas.company_a,
        lines=[WantedLine(item_id=phone.pk, quantity=quantity)],
        delivery=DELIVERY,
        billing=billing,
        by=Actor(user=personas.admin_a, label="a"),
    )
    actions.pick_order(order=order, by=STAFF)
    line = order.lines.get()
    actions.ship_order(
        order=order,
        quantities={line.pk: quantity},
        carrier="GLS",
        tracking_number="1",
        tracking_url="https://t.example/1",
        by=STAFF,
    )
    return order, line


def billed(personas) -> int:
    """Everything the company's invoices carry as one-off lines (the hardware, its credits)."""
    return sum(
        InvoiceLine.objects.filter(
            section__invoice__company=personas.company_a, kind=InvoiceLine.Kind.ONE_OFF
        ).values_list("amount", flat=True)
    )


def test_returning_the_whole_line_after_three_runs_costs_nothing_over_the_plan(personas, login):
    order, line = shipped(personas, 1)
    for month in range(3):
        bill(month)
    assert billed(personas) == sum(actions.instalment_amounts(PRICE, 12)[:3])
    returned = actions.request_return(order=order, line_id=line.pk, quantity=1, reason="Not needed", by=STAFF)
    assert (returned.instalments_credited, returned.instalments_cancelled, returned.instalments_reduced) == (3, 9, 0)
    assert (
        returned.credit == sum(actions.instalment_amounts(PRICE, 12)[:3])
        and returned.withdrawn == PRICE - returned.credit
    )
    for month in range(3, 14):
        bill(month)
    assert billed(personas) == 0  # the whole plan, all runs: nothing for the returned phone
    assert not Charge.objects.for_company(personas.company_a).filter(invoice__isnull=True).exists()
    page = login(personas.admin_a).get(reverse("products:order_detail", kwargs={"order_id": order.pk})).content.decode()
    assert "3 instalments credited" in page and "9 cancelled" in page


def test_returning_one_of_two_leaves_exactly_half_the_plan(personas):
    order, line = shipped(personas, 2)
    for month in range(3):
        bill(month)
    returned = actions.request_return(order=order, line_id=line.pk, quantity=1, reason="One too many", by=STAFF)
    assert (returned.instalments_credited, returned.instalments_cancelled, returned.instalments_reduced) == (3, 0, 9)
    for month in range(3, 14):
        bill(month)
    assert billed(personas) == PRICE  # one phone's plan, to the øre
    # Every later month still carries an instalment (the plan keeps its shape, only halved).
    later = Charge.objects.for_company(personas.company_a).filter(amount__gt=0, source=charge_source(line))
    assert later.count() == 12


def test_returning_before_the_first_run_cancels_the_plan_with_no_credit(personas):
    order, line = shipped(personas, 1, billing="months_24")
    returned = actions.request_return(order=order, line_id=line.pk, quantity=1, reason="Wrong colour", by=STAFF)
    assert (returned.instalments_credited, returned.instalments_cancelled, returned.credit) == (0, 24, 0)
    assert not Charge.objects.for_company(personas.company_a).exists()
    assert returned.outcome == "0 instalments credited (DKK 0.00), 24 cancelled"


def test_two_returns_of_one_each_leave_nothing(personas):
    order, line = shipped(personas, 2)
    bill(0)
    actions.request_return(order=order, line_id=line.pk, quantity=1, reason="a", by=STAFF)
    bill(1)
    actions.request_return(order=order, line_id=line.pk, quantity=1, reason="b", by=STAFF)
    for month in range(2, 14):
        bill(month)
    assert billed(personas) == 0


def test_the_same_return_withdrawn_twice_credits_once(personas):
    from invoicing.events import ChargesWithdrawn
    from registry.events import publish

    order, line = shipped(personas, 1)
    bill(0)
    returned = actions.request_return(order=order, line_id=line.pk, quantity=1, reason="x", by=STAFF)
    again = publish(
        ChargesWithdrawn(
            company=personas.company_a,
            source=charge_source(line),
            key=f"products.return:{returned.pk}",
            part=(1, 1),
            credit_description="again",
            by=STAFF,
        )
    )
    assert again["repeated"] == 1 and again["credit"] == returned.credit
    assert ChargeWithdrawal.objects.unscoped().count() == 1
    assert Charge.objects.for_company(personas.company_a).filter(amount__lt=0).count() == 1


def test_one_off_returns_still_credit_the_returned_units(personas):
    order, line = shipped(personas, 2, billing="one_off")
    returned = actions.request_return(order=order, line_id=line.pk, quantity=1, reason="x", by=STAFF)
    assert sorted(Charge.objects.for_company(personas.company_a).values_list("amount", flat=True)) == [
        -PRICE,
        2 * PRICE,
    ]
    assert returned.credit == PRICE and returned.instalments_cancelled == 0
    assert returned.outcome == "DKK 1,000.01 credited"


def test_instalments_from_before_sources_fall_back_to_crediting_the_full_price(personas):
    order, line = shipped(personas, 1)
    Charge.objects.for_company(personas.company_a).update(source="")  # billed before charges had a source
    returned = actions.request_return(order=order, line_id=line.pk, quantity=1, reason="x", by=STAFF)
    assert returned.credit == PRICE
    assert Charge.objects.for_company(personas.company_a).filter(amount=-PRICE).count() == 1
