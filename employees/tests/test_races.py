"""A double click (or two tabs) asking at once makes one request and one set of e-mails; two admins deciding at
once decide it once (PostgreSQL, real threads: SQLite serialises the writers anyway)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from audit.actor import Actor
from employees import actions
from employees.models import EmployeeRequest
from employees.tests.factories import EmployeeRequestFactory
from outbox.models import OutboxMessage
from subscriptions.models import SimOrder

THREADS = 4
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises writers)"
)


def _run(work) -> tuple[list[object], list[str], list[BaseException]]:
    barrier = threading.Barrier(THREADS)
    done: list[object] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            done.append(work())
        except ValidationError as error:
            refused.append(" ".join(error.messages))
        except BaseException as error:  # noqa: BLE001 - reported by the caller's assert
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, refused, errors


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_asking_at_once_makes_one_request(personas, anna):
    before = OutboxMessage.objects.count()

    def ask() -> int:
        return actions.make_request(
            sub=anna,
            kind=EmployeeRequest.Kind.SIM,
            product=None,
            ship_to="Vestergade 1, 8000 Aarhus C",
            message="",
            email="anna@alfa.dk",
            language="en",
            by=actions.employee_actor("anna@alfa.dk", None),
        ).pk

    done, refused, errors = _run(ask)
    assert errors == [] and refused == []
    assert len(set(done)) == 1
    assert EmployeeRequest.objects.unscoped().count() == 1
    approvers = len(actions.approvers(anna))
    assert OutboxMessage.objects.count() - before == approvers


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_admins_approving_at_once_order_one_sim(personas, anna):
    req = EmployeeRequestFactory(
        subscription=anna, kind=EmployeeRequest.Kind.SIM, product=None, ship_to="Vestergade 1", email=anna.email
    )
    by = Actor(user=personas.admin_a, label="t")
    done, refused, errors = _run(lambda: actions.decide_request(req=req, approve=True, by=by))
    assert errors == []
    assert len(done) == 1 and len(refused) == THREADS - 1
    assert SimOrder.objects.unscoped().filter(subscription=anna).count() == 1
