import uuid

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from subscriptions.models import Subscription
from tickets.models import Category, Status, Ticket

pytestmark = pytest.mark.django_db


def _data(**overrides):
    return {
        "category": Category.TECHNICAL_FAULT,
        "subject": "Ingen dækning",
        "description": "Ingen dækning på kontoret.",
        "priority": "normal",
        "submission_token": str(uuid.uuid4()),
        **overrides,
    }


def _subscription(company):
    from subscriptions.models import Product

    product, _ = Product.objects.get_or_create(
        code="mobil-test", defaults={"name": "Mobil Test", "kind": Product.Kind.MOBILE, "monthly_price": 9900}
    )
    return Subscription.objects.create(
        company=company, user_name="Mette Madsen", product=product, start_date="2026-01-01", phone_number="+4520123456"
    )


def test_it_shows_the_form_with_a_fresh_token(personas, login):
    response = login(personas.admin_a).get(reverse("tickets:create"))
    assert response.status_code == 200
    assert b'name="submission_token"' in response.content
    assert b"Technical fault" in response.content


def test_it_creates_a_ticket_with_a_human_number(personas, login):
    response = login(personas.admin_a).post(reverse("tickets:create"), _data())
    ticket = Ticket.all_companies.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:detail", kwargs={"ticket_id": ticket.pk})
    assert ticket.company == personas.company_a
    assert ticket.status == Status.NEW
    assert ticket.created_by == personas.admin_a
    assert ticket.number.startswith("T-20") and len(ticket.number) == len("T-2026-000001")
    assert ticket.status_changes.get().to_status == Status.NEW
    assert AuditEvent.all_companies.filter(action="ticket.created", company=personas.company_a).count() == 1


def test_it_numbers_tickets_one_after_another(personas, login):
    client = login(personas.admin_a)
    client.post(reverse("tickets:create"), _data())
    client.post(reverse("tickets:create"), _data())
    first, second = Ticket.all_companies.order_by("id").values_list("number", flat=True)
    assert int(second[-6:]) == int(first[-6:]) + 1
    assert first[:7] == second[:7]


def test_it_creates_one_ticket_for_a_double_submit(personas, login):
    client = login(personas.admin_a)
    data = _data()
    first = client.post(reverse("tickets:create"), data)
    second = client.post(reverse("tickets:create"), data)
    assert Ticket.all_companies.count() == 1
    assert first["Location"] == second["Location"]


def test_it_prefills_an_access_request(personas, login):
    response = login(personas.admin_a).get(reverse("tickets:create") + "?category=access&area=subscriptions")
    form = response.context["form"]
    assert form.initial["category"] == Category.ACCESS
    assert "Subscriptions" in str(form.initial["subject"])


def test_it_links_a_subscription_of_the_company(personas, login):
    subscription = _subscription(personas.company_a)
    login(personas.admin_a).post(
        reverse("tickets:create"), _data(related_subscription=subscription.pk, related_reference="Faktura 2026-10-123")
    )
    ticket = Ticket.all_companies.get()
    assert ticket.related_subscription == subscription
    assert ticket.related_reference == "Faktura 2026-10-123"


def test_it_refuses_another_companys_subscription(personas, login):
    foreign = _subscription(personas.company_b)
    response = login(personas.admin_a).post(reverse("tickets:create"), _data(related_subscription=foreign.pk))
    assert response.status_code == 200
    assert "related_subscription" in response.context["form"].errors
    assert not Ticket.all_companies.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 151}, "subject"),
        ({"description": ""}, "description"),
        ({"description": "y" * 10001}, "description"),
        ({"category": "nonsense"}, "category"),
        ({"priority": "urgent!!"}, "priority"),
    ],
)
def test_it_rerenders_bad_input_with_a_message(personas, login, overrides, field):
    response = login(personas.admin_a).post(reverse("tickets:create"), _data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Ticket.all_companies.exists()


def test_it_refuses_read_only_admins(personas, login):
    response = login(personas.readonly_a).post(reverse("tickets:create"), _data())
    assert response.status_code == 403
    assert not Ticket.all_companies.exists()


def test_it_stores_attachments(personas, login, pdf_upload):
    data = {**_data(), "attachments": [pdf_upload(), pdf_upload("b.pdf")]}
    login(personas.admin_a).post(reverse("tickets:create"), data)
    ticket = Ticket.all_companies.get()
    assert sorted(a.original_name for a in ticket.attachments.all()) == ["b.pdf", "faktura.pdf"]
