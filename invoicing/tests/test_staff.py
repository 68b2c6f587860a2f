import datetime as dt

import pytest
from django.urls import reverse

from invoicing.billing import run_billing
from invoicing.models import Invoice
from invoicing.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
URL = reverse("invoice:staff")


def test_it_is_for_staff_only(personas, login):
    # Like the other areas' staff pages: they do not exist for customers.
    assert login(personas.admin_a).get(URL).status_code == 404
    assert login(personas.admin_a).post(URL, {"action": "billing", "billing-period": "2026-11"}).status_code == 404
    assert login(personas.staff).get(URL).status_code == 200


def test_it_starts_the_billing_run_in_the_background(personas, login, django_capture_on_commit_callbacks):
    SubscriptionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(personas.staff).post(URL, {"action": "billing", "billing-period": "2026-11"})
    assert response.status_code == 302
    assert Invoice.all_companies.filter(period="2026-11").count() == 1


def test_it_rejects_a_bad_period(personas, login):
    response = login(personas.staff).post(URL, {"action": "billing", "billing-period": "November"})
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()


def test_it_issues_a_credit_note(personas, login, system):
    SubscriptionFactory()
    invoice = Invoice.all_companies.get(
        pk=run_billing("2026-11", by=system, issue_date=dt.date(2026, 12, 1)).created[0]
    )
    client = login(personas.staff)

    response = client.post(URL, {"action": "credit", "credit-number": invoice.number, "credit-reason": "Fejl"})
    again = client.post(URL, {"action": "credit", "credit-number": invoice.number, "credit-reason": "Fejl"})
    unknown = client.post(URL, {"action": "credit", "credit-number": 1, "credit-reason": "Fejl"})

    assert response.status_code == 302
    assert again.status_code == 200 and "already been credited" in again.content.decode()
    assert unknown.status_code == 200
    assert Invoice.all_companies.filter(category=Invoice.Category.CREDIT_NOTE).count() == 1
