"""Concurrent orders never oversell: placing an order locks the items' rows (PostgreSQL, real threads)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from audit.actor import Actor
from companies.tests.factories import CompanyFactory, MembershipFactory
from products import actions
from products.actions import Delivery, WantedLine
from products.models import Item, Order
from products.tests.factories import ItemFactory

DELIVERY = Delivery(name="Alfa ApS", street="Vestergade 1", postcode="8000", city="Aarhus C")
THREADS = 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises writers)")
def test_eight_concurrent_orders_for_the_last_three_phones_sell_exactly_three():
    phone = ItemFactory(stock=3)
    charger = ItemFactory(kind=Item.Kind.ACCESSORY, stock=100)
    companies = [CompanyFactory() for _ in range(THREADS)]
    users = [MembershipFactory(company=c).user for c in companies]
    barrier = threading.Barrier(THREADS)
    placed: list[int] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def order(index: int) -> None:
        try:
            barrier.wait()
            # Half lock the items in the other order of lines: the locks are taken by primary key, so no deadlock.
            lines = [WantedLine(item_id=phone.pk, quantity=1), WantedLine(item_id=charger.pk, quantity=1)]
            if index % 2:
                lines.reverse()
            result = actions.place_order(
                company=companies[index],
                lines=lines,
                delivery=DELIVERY,
                billing="one_off",
                by=Actor(user=users[index], label="t"),
            )
            placed.append(result.pk)
        except ValidationError as error:
            refused.append(" ".join(error.messages))
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=order, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(placed) == 3 and len(refused) == THREADS - 3
    assert all("Not enough in stock" in text for text in refused)
    phone.refresh_from_db()
    charger.refresh_from_db()
    assert (phone.stock, charger.stock) == (0, 97)
    assert Order.all_companies.count() == 3
