"""Two staff acting on one port request at once: one succeeds, the other gets a clear message."""

import datetime
import threading

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.actor import Actor
from numbering import actions
from numbering.models import PhoneNumber, PortEvent, PortRequest
from numbering.tests.factories import PortRequestFactory


def _scheduled_port() -> PortRequest:
    return PortRequestFactory(
        status=PortRequest.Status.SCHEDULED,
        numbers=["+4533123456"],
        scheduled_at=timezone.now() + datetime.timedelta(days=1),
    )


@pytest.mark.django_db
def test_acting_on_a_request_someone_just_completed_says_who_did_it():
    port = _scheduled_port()
    stale = [PortRequest.all_companies.get(pk=port.pk) for _ in range(2)]  # what other staff members' pages loaded
    first = UserFactory(email="first@operator.example", is_staff=True)
    actions.complete_port_request(port, ported=["+4533123456"], note="", by=Actor(user=first))

    for act in (
        lambda: actions.complete_port_request(stale[0], ported=["+4533123456"], note="", by=Actor.system("second")),
        lambda: actions.reject_port_request(stale[1], reason="Wrong CVR", by=Actor.system("second")),
    ):
        with pytest.raises(ValidationError, match=r"just changed to “Completed” by first@operator\.example"):
            act()
    assert PhoneNumber.all_companies.filter(number="+4533123456").count() == 1
    assert PortEvent.objects.filter(port_request=port, new_status=PortRequest.Status.COMPLETED).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises writers)")
def test_two_staff_completing_one_port_at_once_get_one_completion_and_a_message():
    port = _scheduled_port()
    url = reverse("numbers:staff_port", kwargs={"port_id": port.pk})
    staff = [UserFactory(email=f"staff{i}@operator.example", is_staff=True) for i in range(2)]
    barrier = threading.Barrier(2)
    results: list[tuple[int, list[str]]] = []
    errors: list[BaseException] = []

    def complete(user) -> None:
        try:
            client = Client()
            client.force_login(user)
            barrier.wait()
            response = client.post(url, {"action": "complete", "ported": ["+4533123456"], "note": ""})
            results.append((response.status_code, [str(m) for m in get_messages(response.wsgi_request)]))
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=complete, args=(user,)) for user in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(status for status, _ in results) == [302, 302]  # no 500
    texts = sorted(" ".join(m) for _, m in results)
    assert any(t == "Saved." for t in texts), texts
    assert any("Completed" in t and "@operator.example" in t for t in texts), texts
    assert PhoneNumber.all_companies.filter(number="+4533123456").count() == 1
    assert PortEvent.objects.filter(port_request=port, new_status=PortRequest.Status.COMPLETED).count() == 1
