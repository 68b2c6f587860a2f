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


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises writers)")
def test_staff_receiving_while_eight_threads_order_keeps_the_stock_exact_and_never_negative():
    from products.models import StockMovement
    from products.selectors import stock_mismatches

    phone = ItemFactory(stock=3)
    companies = [CompanyFactory() for _ in range(THREADS)]
    users = [MembershipFactory(company=c).user for c in companies]
    barrier = threading.Barrier(THREADS + 1)
    placed: list[int] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def order(index: int) -> None:
        try:
            barrier.wait()
            result = actions.place_order(
                company=companies[index],
                lines=[WantedLine(item_id=phone.pk, quantity=1)],
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

    def receive() -> None:
        try:
            barrier.wait()
            actions.adjust_stock(item=Item.objects.get(pk=phone.pk), kind="receive", quantity=5, by=Actor.system("t"))
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=order, args=(i,)) for i in range(THREADS)]
    threads.append(threading.Thread(target=receive))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    # 3 + 5 units for 8 orders: how many were sold depends on when the delivery came in; none is lost.
    assert len(placed) + len(refused) == THREADS and all("Not enough in stock" in text for text in refused)
    phone.refresh_from_db()
    assert phone.stock == 3 + 5 - len(placed) >= 0
    assert Order.all_companies.count() == len(placed)
    movements = StockMovement.objects.filter(item=phone)
    assert movements.filter(reason=StockMovement.Reason.RESERVED).count() == len(placed)
    assert all(m.stock_after >= 0 for m in movements) and stock_mismatches() == []
