import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from numbering.models import PhoneNumber
from numbering.tests.factories import PortRequestFactory

pytestmark = pytest.mark.django_db


def test_it_shows_the_queue_across_companies(personas, login):
    PortRequestFactory(company=personas.company_a, status="submitted")
    PortRequestFactory(company=personas.company_b, status="pending")
    PortRequestFactory(company=personas.company_b, status="draft")
    response = login(personas.staff).get(reverse("numbers:staff_queue"))
    assert len(response.context["page"]) == 2


def test_it_filters_the_queue_by_status(personas, login):
    PortRequestFactory(company=personas.company_a, status="completed")
    PortRequestFactory(company=personas.company_a, status="submitted")
    response = login(personas.staff).get(reverse("numbers:staff_queue"), {"status": "completed"})
    assert [p.status for p in response.context["page"]] == ["completed"]


def test_it_hides_staff_pages_from_customers(personas, login):
    port = PortRequestFactory(company=personas.company_a, status="submitted")
    client = login(personas.admin_a)
    assert client.get(reverse("numbers:staff_queue")).status_code == 404
    response = client.post(reverse("numbers:staff_port", kwargs={"port_id": port.pk}), {"action": "accept"})
    assert response.status_code == 404
    port.refresh_from_db()
    assert port.status == "submitted"


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("numbers:staff_queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_rejects_schedules_and_completes(personas, login):
    port = PortRequestFactory(company=personas.company_a, status="submitted", numbers=["+4533123456", "+4533123457"])
    client = login(personas.staff)
    url = reverse("numbers:staff_port", kwargs={"port_id": port.pk})
    client.post(url, {"action": "reject", "reason": "Kundenummer passer ikke"})
    port.refresh_from_db()
    assert port.status == "rejected" and port.status_reason == "Kundenummer passer ikke"
    port.status = "submitted"
    port.save()
    day = timezone.localdate() + datetime.timedelta(days=3)
    client.post(url, {"action": "schedule", "date": day.isoformat(), "time": "06:00"})
    port.refresh_from_db()
    assert port.status == "scheduled"
    assert timezone.localtime(port.scheduled_at).hour == 6
    client.post(url, {"action": "complete", "ported": ["+4533123456"], "note": "Det andet nummer er opsagt"})
    port.refresh_from_db()
    assert port.status == "completed"
    assert list(PhoneNumber.objects.for_company(personas.company_a).values_list("number", flat=True)) == ["+4533123456"]


@pytest.mark.parametrize(
    "data",
    [
        {"action": "reject", "reason": ""},
        {"action": "schedule", "date": "not-a-date", "time": "06:00"},
        {"action": "complete", "ported": ["+4599999999"]},
        {"action": "explode"},
    ],
)
def test_it_refuses_bad_staff_input(personas, login, data):
    port = PortRequestFactory(company=personas.company_a, status="pending")
    response = login(personas.staff).post(reverse("numbers:staff_port", kwargs={"port_id": port.pk}), data)
    assert response.status_code in (302, 400)
    port.refresh_from_db()
    assert port.status == "pending"
    assert not port.events.exists()


def test_it_refuses_an_illegal_transition_with_a_message(personas, login):
    port = PortRequestFactory(company=personas.company_a, status="completed")
    response = login(personas.staff).post(
        reverse("numbers:staff_port", kwargs={"port_id": port.pk}),
        {"action": "reject", "reason": "for sent"},
        follow=True,
    )
    assert "cannot become" in response.content.decode()


@pytest.mark.parametrize("size", [1, 30])
def test_it_lists_the_queue_in_fixed_queries(personas, login, django_assert_num_queries, size):
    PortRequestFactory.create_batch(size, company=personas.company_a, status="submitted")
    client = login(personas.staff)
    client.get(reverse("numbers:staff_queue"))
    with django_assert_num_queries(4):
        response = client.get(reverse("numbers:staff_queue"))
    assert len(response.context["page"]) == min(size, 25)
