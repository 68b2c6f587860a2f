"""A subscription created through the guide is on the company's next invoice (issues 4 and 5)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.actor import Actor
from audit.models import AuditEvent
from invoicing.billing import run_billing
from invoicing.models import Charge, Invoice, InvoiceLine
from invoicing.money import pro_rata, vat_of
from subscriptions import actions
from subscriptions.models import SimOrder, Subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
START = dt.date(2026, 11, 21)  # mid-month: 10 of November's 30 days


@pytest.fixture
def today_is(monkeypatch):
    real = timezone.localdate

    def set_today(day: dt.date) -> None:
        def localdate(value=None, timezone=None):  # type: ignore[no-untyped-def]
            return day if value is None else real(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    return set_today


def u(step):
    return reverse(f"subscriptions:create_{step}")


def _walk(client, catalogue, *, sim):
    product = catalogue["mobil-plus-30"]
    assert client.post(u("user"), {"user_name": "Åse Ørsted", "email": "aa@firma.dk"}).status_code == 302
    assert (
        client.post(
            u("product"), {"product": product.pk, "add_ons": [product.add_ons.get(code="voicemail-pro").pk]}
        ).status_code
        == 302
    )
    assert client.post(u("number"), {"choice": "pool", "pool_number": "+4542100004"}).status_code == 302
    assert client.post(u("sim"), sim).status_code == 302
    return client.get(u("summary"))


def test_it_puts_a_guide_subscription_started_mid_month_on_the_next_invoice(personas, login, catalogue, today_is):
    today_is(START)
    client = login(personas.admin_a)
    summary = _walk(client, catalogue, sim={"choice": "ship", "ship_to": "Åboulevard 1\n2200 København N"})
    shown = {f.code: f.price for f in summary.context["fees"]}
    assert shown == {"oprettelse": 0, "sim-kort": 9900}
    response = client.post(u("summary"), {"token": summary.context["token"]})
    assert response.status_code == 302
    sub = Subscription.all_companies.get(company=personas.company_a)
    assert sub.start_date == START

    # The SIM fee is recorded as a charge in the same transaction; the 0 kr set-up fee has nothing to invoice.
    charge = Charge.all_companies.get(subscription=sub)
    assert (charge.fee.code, charge.amount, charge.date, charge.invoice) == ("sim-kort", 9900, START, None)
    assert AuditEvent.all_companies.filter(action="invoice.charge_added", company=personas.company_a).count() == 1

    result = run_billing("2026-11", by=Actor.system("test"), issue_date=dt.date(2026, 12, 1))
    invoice = Invoice.all_companies.get(pk__in=result.created, company=personas.company_a)
    section = invoice.sections.get(subscription=sub)
    assert section.user_name == "Åse Ørsted"
    lines = {line.kind: line for line in section.lines.all()}
    # Rounding rule (invoicing/money.py): half up to whole øre once per pro-rata line.
    # 149,00 kr. x 10/30 = 49,666… kr. -> 4967 øre; 19,00 kr. x 10/30 = 6,333… kr. -> 633 øre.
    assert lines[InvoiceLine.Kind.SUBSCRIPTION].amount == 4967 == pro_rata(14900, 10, 30)
    assert lines[InvoiceLine.Kind.SUBSCRIPTION].quantity == 10
    assert lines[InvoiceLine.Kind.ADD_ON].amount == 633
    assert (lines[InvoiceLine.Kind.ONE_OFF].description, lines[InvoiceLine.Kind.ONE_OFF].amount) == ("SIM-kort", 9900)
    assert section.total == 4967 + 633 + 9900 == 15500
    # VAT 25 % on top of the net total, rounded once.
    assert (invoice.net, invoice.vat, invoice.total) == (15500, 3875, 19375)
    assert invoice.vat == vat_of(invoice.net)
    assert invoice.one_off_net == 9900
    charge.refresh_from_db()
    assert charge.invoice == invoice

    # The charge is billed once: the next month's invoice has the full fee and no SIM card.
    run_billing("2026-12", by=Actor.system("test"), issue_date=dt.date(2027, 1, 1))
    december = Invoice.all_companies.get(company=personas.company_a, period="2026-12")
    assert not december.lines.filter(kind=InvoiceLine.Kind.ONE_OFF).exists()
    assert december.net == 14900 + 1900


def test_it_charges_the_esim_profile_for_an_esim_subscription(personas, login, catalogue):
    client = login(personas.admin_a)
    summary = _walk(client, catalogue, sim={"choice": "esim"})
    client.post(u("summary"), {"token": summary.context["token"]})
    sub = Subscription.all_companies.get(company=personas.company_a)
    assert list(Charge.all_companies.filter(subscription=sub).values_list("fee__code", "amount")) == [("esim", 4900)]


def test_it_charges_nothing_for_a_sim_the_company_already_has(personas, login, catalogue):
    from subscriptions.identifiers import iccid_with_check

    client = login(personas.admin_a)
    summary = _walk(client, catalogue, sim={"choice": "physical", "iccid": iccid_with_check("894501777777777777")})
    assert summary.context["fees_total"] == 0
    client.post(u("summary"), {"token": summary.context["token"]})
    assert not Charge.all_companies.exists()


def test_it_charges_nothing_when_the_double_submit_finds_the_first_subscription(personas, login, catalogue):
    client = login(personas.admin_a)
    summary = _walk(client, catalogue, sim={"choice": "esim"})
    client.post(u("summary"), {"token": summary.context["token"]})
    client.post(u("summary"), {"token": summary.context["token"]})
    assert Charge.all_companies.count() == 1


def test_it_charges_nothing_when_creation_fails(personas, login, catalogue):
    from subscriptions.models import NumberPool

    client = login(personas.admin_a)
    summary = _walk(client, catalogue, sim={"choice": "esim"})
    NumberPool.objects.filter(phone_number="+4542100004").update(reserved_for=personas.company_b)
    response = client.post(u("summary"), {"token": summary.context["token"]})
    assert response.status_code == 400
    assert not Subscription.all_companies.exists() and not Charge.all_companies.exists()


@pytest.mark.parametrize(
    ("kind", "code", "amount"),
    [(SimOrder.Kind.REPLACEMENT, "sim-erstatning", 14900), (SimOrder.Kind.ESIM, "esim", 4900)],
)
def test_it_charges_the_catalogue_fee_for_a_lost_sim(personas, login, catalogue, kind, code, amount):
    sub = SubscriptionFactory(company=personas.company_a, product=catalogue["mobil-plus-30"])
    client = login(personas.admin_a)
    page = client.get(reverse("subscriptions:sim", kwargs={"subscription_id": sub.pk}))
    assert "Replacement SIM" in page.content.decode() or "Erstatnings-SIM" in page.content.decode()
    response = client.post(
        reverse("subscriptions:sim", kwargs={"subscription_id": sub.pk}),
        {"kind": kind, "ship_to": "Vej 1, 8000 Aarhus C", "reason": "Tabt"},
    )
    assert response.status_code == 302
    charge = Charge.all_companies.get(subscription=sub)
    assert (charge.fee.code, charge.amount, charge.company) == (code, amount, personas.company_a)


def test_it_charges_nothing_for_a_lost_sim_when_the_catalogue_has_no_fee(personas, catalogue):
    from subscriptions.models import OneOffFee

    OneOffFee.objects.filter(code="sim-erstatning").delete()
    sub = SubscriptionFactory(company=personas.company_a, product=catalogue["mobil-plus-30"])
    actions.order_sim(sub, kind=SimOrder.Kind.REPLACEMENT, ship_to="Vej 1", reason="", by=Actor.system("test"))
    assert not Charge.all_companies.exists()
    assert sub.sim_orders.count() == 1


def test_it_refuses_a_lost_sim_order_without_charging(personas, login, catalogue):
    sub = SubscriptionFactory(company=personas.company_a, product=catalogue["mobil-plus-30"])
    response = login(personas.admin_a).post(
        reverse("subscriptions:sim", kwargs={"subscription_id": sub.pk}),
        {"kind": SimOrder.Kind.REPLACEMENT, "ship_to": " ", "reason": ""},
    )
    assert response.status_code == 400
    assert not Charge.all_companies.exists()
