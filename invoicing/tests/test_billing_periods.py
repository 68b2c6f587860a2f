"""Only a month that is over may be billed, unless staff force it with a reason (audited)."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from invoicing.models import Invoice
from invoicing.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
URL = reverse("invoice:staff")


@pytest.fixture
def today(monkeypatch):
    """A fixed "today": 2 December 2026, so December is unfinished and January 2027 in the future."""
    day = dt.date(2026, 12, 2)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)
    return day


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-12", "2026-12 is not over yet: it can be billed from 01/01/2027."),
        ("2027-01", "2027-01 lies in the future"),
    ],
)
def test_the_command_refuses_an_unfinished_or_future_month(today, period, message):
    SubscriptionFactory()
    with pytest.raises(CommandError) as raised:
        call_command("run_billing", period, "--no-progress")
    assert message in str(raised.value) and "--force" in str(raised.value)
    assert not Invoice.all_companies.exists()
    assert not AuditEvent.all_companies.filter(action="invoice.billing_forced").exists()


def test_the_command_bills_the_month_that_just_ended(today, capsys):
    SubscriptionFactory()
    call_command("run_billing", "2026-11", "--no-progress")
    assert Invoice.all_companies.filter(period="2026-11").count() == 1
    assert not AuditEvent.all_companies.filter(action="invoice.billing_forced").exists()


def test_the_command_needs_a_reason_to_force(today):
    SubscriptionFactory()
    with pytest.raises(CommandError, match="Give a reason"):
        call_command("run_billing", "2026-12", "--force", "--no-progress")
    assert not Invoice.all_companies.exists()


def test_the_command_bills_a_forced_month_and_audits_the_reason(today):
    SubscriptionFactory()
    call_command("run_billing", "2026-12", "--force", "--reason", "Kunden lukker", "--no-progress")
    assert Invoice.all_companies.filter(period="2026-12").count() == 1
    event = AuditEvent.all_companies.get(action="invoice.billing_forced")
    assert event.details == {"period": "2026-12", "reason": "Kunden lukker", "today": "2026-12-02"}
    assert event.actor_label == "run_billing command"


def test_the_staff_button_refuses_the_running_month_in_danish(today, personas, login):
    SubscriptionFactory()
    client = login(personas.staff)
    personas.staff.language = "da"
    personas.staff.save()
    response = client.post(URL, {"action": "billing", "billing-period": "2026-12"})
    assert response.status_code == 200
    assert "2026-12 er ikke slut endnu" in response.content.decode()
    assert not Invoice.all_companies.exists()
    assert not AuditEvent.all_companies.filter(action__startswith="invoice.billing").exists()


def test_the_staff_button_refuses_a_future_month(today, personas, login):
    response = login(personas.staff).post(URL, {"action": "billing", "billing-period": "2027-03"})
    assert response.status_code == 200
    assert "2027-03 lies in the future" in response.content.decode()


def test_the_staff_button_needs_a_reason_to_force(today, personas, login):
    response = login(personas.staff).post(
        URL, {"action": "billing", "billing-period": "2026-12", "billing-force": "on", "billing-reason": " "}
    )
    assert response.status_code == 200
    assert "Give a reason for billing a month that is not over." in response.content.decode()
    assert not AuditEvent.all_companies.filter(action__startswith="invoice.billing").exists()


def test_the_staff_button_forces_with_a_reason_and_audits_it(
    today, personas, login, django_capture_on_commit_callbacks
):
    SubscriptionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(personas.staff).post(
            URL,
            {
                "action": "billing",
                "billing-period": "2026-12",
                "billing-force": "on",
                "billing-reason": "Konkurs: sidste faktura nu",
            },
        )
    assert response.status_code == 302
    assert Invoice.all_companies.filter(period="2026-12").count() == 1
    event = AuditEvent.all_companies.get(action="invoice.billing_forced")
    assert event.actor == personas.staff
    assert event.details["reason"] == "Konkurs: sidste faktura nu"


def test_the_staff_button_bills_a_finished_month_without_force(
    today, personas, login, django_capture_on_commit_callbacks
):
    SubscriptionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(personas.staff).post(URL, {"action": "billing", "billing-period": "2026-11"})
    assert response.status_code == 302
    assert Invoice.all_companies.filter(period="2026-11").count() == 1
    assert not AuditEvent.all_companies.filter(action="invoice.billing_forced").exists()
