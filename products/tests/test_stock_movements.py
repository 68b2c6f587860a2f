"""Stock changes are movements: deltas under the item's row lock, a count checked against what staff saw,
and every reservation and restock written down, so the stock always equals the sum of its history."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.actor import Actor
from audit.models import AuditEvent
from companies.tests.factories import MembershipFactory
from products import actions
from products.actions import Delivery, WantedLine
from products.models import Item, ProductSettings, StockMovement
from products.selectors import stock_mismatches
from products.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db
STAFF = Actor.system("staff")
DELIVERY = Delivery(name="Alfa ApS", street="Vestergade 1", postcode="8000", city="Aarhus C")
Reason = StockMovement.Reason


def place(personas, item, quantity, **kwargs):
    return actions.place_order(
        company=personas.company_a,
        lines=[WantedLine(item_id=item.pk, quantity=quantity)],
        delivery=DELIVERY,
        by=Actor(user=personas.admin_a, label="a"),
        **{"billing": "one_off", **kwargs},
    )


def ship(order, quantity=None):
    line = order.lines.get()
    actions.ship_order(
        order=order,
        quantities={line.pk: quantity or line.outstanding},
        carrier="GLS",
        tracking_number="1",
        tracking_url="https://t.example/1",
        by=STAFF,
    )


def adds_up(item: Item) -> bool:
    item.refresh_from_db()
    return sum(item.movements.values_list("delta", flat=True)) == item.stock


def test_receive_write_off_and_count_are_movements_with_who_and_an_audit(personas):
    phone = ItemFactory(stock=4)
    by = Actor(user=personas.staff, label="")
    actions.adjust_stock(item=phone, kind="receive", quantity=6, note="Delivery 118", by=by)
    actions.adjust_stock(item=phone, kind="write_off", quantity=2, note="Broken in the warehouse", by=by)
    movement = actions.adjust_stock(item=phone, kind="count", quantity=7, seen=8, by=by)
    phone.refresh_from_db()
    assert phone.stock == 7 and (movement.delta, movement.reason, movement.stock_after) == (-1, Reason.COUNTED, 7)
    assert list(phone.movements.order_by("pk").values_list("reason", "delta", "by", "note")) == [
        (Reason.OPENING, 4, None, ""),
        (Reason.RECEIVED, 6, personas.staff.pk, "Delivery 118"),
        (Reason.WRITTEN_OFF, -2, personas.staff.pk, "Broken in the warehouse"),
        (Reason.COUNTED, -1, personas.staff.pk, ""),
    ]
    audits = AuditEvent.objects.unscoped().filter(action="products.stock_adjusted").order_by("pk")
    assert [a.details["delta"] for a in audits] == [6, -2, -1] and adds_up(phone)


@pytest.mark.parametrize(
    ("kind", "quantity", "seen", "message"),
    [
        ("receive", 0, None, "above 0"),
        ("write_off", 5, None, "more than is in stock"),
        ("count", 3, 3, "nothing to correct"),
        ("count", 1, None, "changed while you counted"),
        ("teleport", 1, None, "Choose what to do"),
    ],
)
def test_bad_adjustments_are_refused_and_change_nothing(kind, quantity, seen, message):
    phone = ItemFactory(stock=3)
    with pytest.raises(ValidationError, match=message):
        actions.adjust_stock(item=phone, kind=kind, quantity=quantity, seen=seen, by=STAFF)
    phone.refresh_from_db()
    assert phone.stock == 3 and phone.movements.count() == 1


def test_a_count_on_a_stale_value_is_refused_with_the_new_value(personas):
    phone = ItemFactory(stock=5)
    seen = phone.stock  # the staff member opens the page …
    place(personas, phone, 2)  # … a customer orders two meanwhile …
    with pytest.raises(actions.StockChanged, match="now 3 \\(you saw 5\\)") as refused:
        actions.adjust_stock(item=phone, kind="count", quantity=5, seen=seen, by=STAFF)  # … the count was of 5
    assert refused.value.stock == 3
    phone.refresh_from_db()
    assert phone.stock == 3 and not phone.movements.filter(reason=Reason.COUNTED).exists()


def test_every_reservation_and_restock_is_a_movement_and_the_stock_adds_up(personas):
    phone = ItemFactory(stock=10, price=100000)
    cancelled = place(personas, phone, 2)
    actions.cancel_order(order=cancelled, by=STAFF)
    partial = place(personas, phone, 3)
    actions.pick_order(order=partial, by=STAFF)
    ship(partial, 1)
    actions.complete_order(order=partial, by=STAFF)  # 2 never sent: back on the shelf
    returned = place(personas, phone, 2)
    actions.pick_order(order=returned, by=STAFF)
    ship(returned)
    actions.request_return(order=returned, line_id=returned.lines.get().pk, quantity=1, reason="Not needed", by=STAFF)
    ProductSettings.objects.unscoped().update_or_create(company=personas.company_a, defaults={"approve_phones": True})
    second = MembershipFactory(company=personas.company_a).user  # a second admin with full access refuses
    held = place(personas, phone, 1)
    actions.decide_order(order=held, approve=False, user=second, by=STAFF)
    phone.refresh_from_db()
    assert phone.stock == 10 - 1 - 1  # kept: the one of the partial order and one of the two (one came back)
    reasons = list(phone.movements.order_by("pk").values_list("reason", "delta", "order"))
    assert reasons == [
        (Reason.OPENING, 10, None),
        (Reason.RESERVED, -2, cancelled.pk),
        (Reason.RESTOCKED, 2, cancelled.pk),
        (Reason.RESERVED, -3, partial.pk),
        (Reason.NOT_SENT, 2, partial.pk),
        (Reason.RESERVED, -2, returned.pk),
        (Reason.RETURNED, 1, returned.pk),
        (Reason.RESERVED, -1, held.pk),
        (Reason.RESTOCKED, 1, held.pk),
    ]
    assert adds_up(phone) and stock_mismatches() == []
    assert all(m.stock_after >= 0 for m in phone.movements.all())


def test_reconcile_stock_check_fails_when_an_item_does_not_add_up(capsys):
    phone = ItemFactory(stock=4, code="phone-x")
    call_command("reconcile_stock", "--check")
    assert "Every item's stock equals" in capsys.readouterr().out
    Item.objects.filter(pk=phone.pk).update(stock=9)  # changed behind the movements' back
    with pytest.raises(CommandError, match="1 item"):
        call_command("reconcile_stock", "--check")
    assert "phone-x: stock 9, movements add up to 4" in capsys.readouterr().out


def test_the_migration_gives_existing_items_an_opening_balance():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("products.migrations.0003_stock_movements_and_return_credits")
    phone = Item.objects.create(code="legacy", kind=Item.Kind.PHONE, name="Legacy", price=1, stock=7)
    migration.opening_balances(apps, None)
    assert list(phone.movements.values_list("reason", "delta")) == [(Reason.OPENING, 7)]


# -- the staff pages ----------------------------------------------------------------------------------------


def _item_data(item: Item, **changes):
    data = {
        "code": item.code,
        "kind": item.kind,
        "name": item.name,
        "name_da": item.name_da,
        "description": "",
        "description_da": "",
        "price": f"{item.price / 100:.2f}",
        "delivery_days": item.delivery_days,
        "is_active": "on",
        "sort_order": item.sort_order,
    }
    return data | changes


def test_saving_the_item_form_keeps_an_order_placed_while_it_was_open(personas, login):
    phone = ItemFactory(stock=5, price=100000)
    staff = login(personas.staff)
    url = reverse("products:staff_item", kwargs={"item_id": phone.pk})
    assert staff.get(url).status_code == 200  # the form is open …
    place(personas, phone, 2)  # … an order reserves two …
    response = staff.post(url, _item_data(phone, price="1200,00", stock="5"))  # … an old stock value is ignored
    assert response.status_code == 302
    phone.refresh_from_db()
    assert (phone.price, phone.stock) == (120000, 3) and adds_up(phone)


def test_staff_receive_and_the_history_shows_it(personas, login):
    phone = ItemFactory(stock=2)
    staff = login(personas.staff)
    url = reverse("products:staff_item", kwargs={"item_id": phone.pk})
    response = staff.post(
        url,
        {"action": "stock", "stock-kind": "receive", "stock-quantity": "5", "stock-note": "PO 77", "stock-seen": "2"},
    )
    assert response.status_code == 302
    phone.refresh_from_db()
    assert phone.stock == 7
    page = staff.get(url).content.decode()
    assert page.count('data-testid="movement-row"') == 2 and "PO 77" in page and "+5" in page
    assert personas.staff.email in page


def test_a_stale_count_re_renders_with_the_new_value_and_changes_nothing(personas, login):
    phone = ItemFactory(stock=5)
    staff = login(personas.staff)
    url = reverse("products:staff_item", kwargs={"item_id": phone.pk})
    place(personas, phone, 1)
    response = staff.post(url, {"action": "stock", "stock-kind": "count", "stock-quantity": "5", "stock-seen": "5"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "it is now 4 (you saw 5)" in page and 'name="stock-seen" value="4"' in page
    phone.refresh_from_db()
    assert phone.stock == 4 and not phone.movements.filter(reason=Reason.COUNTED).exists()
    # Checked against the value shown now, the same count is taken.
    assert (
        staff.post(
            url, {"action": "stock", "stock-kind": "count", "stock-quantity": "5", "stock-seen": "4"}
        ).status_code
        == 302
    )
    phone.refresh_from_db()
    assert phone.stock == 5 and adds_up(phone)


@pytest.mark.parametrize(
    "data",
    [
        {"stock-kind": "write_off", "stock-quantity": "99", "stock-seen": "3"},
        {"stock-kind": "receive", "stock-quantity": "-1", "stock-seen": "3"},
        {"stock-kind": "receive", "stock-quantity": "abc", "stock-seen": "3"},
        {"stock-kind": "nonsense", "stock-quantity": "1", "stock-seen": "3"},
        {"stock-kind": "count", "stock-quantity": "1"},
    ],
)
def test_bad_stock_input_answers_400_with_a_message(personas, login, data):
    phone = ItemFactory(stock=3)
    response = login(personas.staff).post(
        reverse("products:staff_item", kwargs={"item_id": phone.pk}), {"action": "stock", **data}
    )
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    phone.refresh_from_db()
    assert phone.stock == 3 and phone.movements.count() == 1


def test_a_new_item_receives_its_first_units_as_a_movement(personas, login):
    staff = login(personas.staff)
    data = _item_data(Item(code="pixel-9", kind="phone", name="Pixel 9", price=499900, delivery_days=2, sort_order=1))
    assert staff.post(reverse("products:staff_item_new"), {**data, "opening_stock": "12"}).status_code == 302
    item = Item.objects.get(code="pixel-9")
    assert item.stock == 12 and list(item.movements.values_list("reason", "delta")) == [(Reason.RECEIVED, 12)]


def test_the_history_is_paginated_with_a_fixed_query_count(personas, login, django_assert_max_num_queries):
    phone = ItemFactory(stock=1000)
    staff = login(personas.staff)
    url = reverse("products:staff_item", kwargs={"item_id": phone.pk})
    place(personas, phone, 1)
    staff.get(url)
    with django_assert_max_num_queries(99) as few:
        staff.get(url)
    for _n in range(60):
        place(personas, phone, 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = staff.get(url).content.decode()
    assert page.count('data-testid="movement-row"') == 50
    assert staff.get(url, {"page": 2}).content.decode().count('data-testid="movement-row"') == 12


def test_the_staff_item_page_reads_danish(personas, login):
    phone = ItemFactory(stock=3)
    personas.staff.language = "da"
    personas.staff.save()
    page = (
        login(personas.staff)
        .get(reverse("products:staff_item", kwargs={"item_id": phone.pk}), HTTP_ACCEPT_LANGUAGE="da")
        .content.decode()
    )
    assert "Lagerhistorik" in page and "Åbningsbeholdning" in page


def test_a_customer_cannot_change_the_stock(personas, login):
    phone = ItemFactory(stock=3)
    url = reverse("products:staff_item", kwargs={"item_id": phone.pk})
    response = login(personas.admin_a).post(
        url, {"action": "stock", "stock-kind": "receive", "stock-quantity": "5", "stock-seen": "3"}
    )
    assert response.status_code == 404
    phone.refresh_from_db()
    assert phone.stock == 3
