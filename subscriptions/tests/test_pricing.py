"""The guide's first-invoice amount is what the billing run charges for the same subscription (issue 12)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.actor import Actor
from invoicing.billing import run_billing
from invoicing.models import Invoice, InvoiceLine
from subscriptions import pricing
from subscriptions.models import Subscription

pytestmark = pytest.mark.django_db


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


def _summary(client, catalogue, *, product, add_ons, number, sim):
    assert client.post(u("user"), {"user_name": "Åse Ørsted"}).status_code == 302
    chosen = [catalogue[product].add_ons.get(code=code).pk for code in add_ons]
    assert client.post(u("product"), {"product": catalogue[product].pk, "add_ons": chosen}).status_code == 302
    assert client.post(u("number"), number).status_code == 302
    if sim is not None:
        assert client.post(u("sim"), sim).status_code == 302
    return client.get(u("summary"))


POOL = {"choice": "pool", "pool_number": "+4542100004"}


@pytest.mark.parametrize(
    ("start", "product", "add_ons", "sim"),
    [
        (dt.date(2026, 11, 21), "mobil-plus-30", ["voicemail-pro", "dobbelt-sim"], {"choice": "esim"}),
        (dt.date(2026, 11, 1), "mobil-basis-5", [], {"choice": "ship", "ship_to": "Åboulevard 1, 2200 København N"}),
        (dt.date(2026, 11, 30), "mobil-pro-100", ["eu-roaming-plus"], {"choice": "esim"}),
        (dt.date(2027, 2, 17), "fastnet-omstilling", ["voicemail-pro"], None),  # February, a landline (no SIM)
    ],
)
def test_the_summary_shows_the_first_invoice_the_billing_run_charges(
    personas, login, catalogue, today_is, start, product, add_ons, sim
):
    today_is(start)
    client = login(personas.admin_a)
    summary = _summary(client, catalogue, product=product, add_ons=add_ons, number=POOL, sim=sim)
    shown = summary.context["first_invoice"]
    html = summary.content.decode()
    assert client.post(u("summary"), {"token": summary.context["token"]}).status_code == 302

    period = f"{start:%Y-%m}"
    result = run_billing(period, by=Actor.system("test"), issue_date=start + dt.timedelta(days=40))
    invoice = Invoice.objects.get(pk__in=result.created, company=personas.company_a)
    assert (shown.net, shown.vat, shown.total) == (invoice.net, invoice.vat, invoice.total)
    billed = sorted((line.kind, line.amount) for line in invoice.lines.all())
    assert sorted((line.kind, line.amount) for line in shown.lines) == billed
    days = invoice.lines.get(kind=InvoiceLine.Kind.SUBSCRIPTION).quantity
    assert shown.days == days == (shown.last - start).days + 1
    # What the admin reads: the amounts incl. and excl. VAT, and the days charged.
    from common.formats import money as kr

    assert kr(invoice.total) in html and kr(invoice.net) in html and kr(invoice.vat) in html
    if shown.is_pro_rata:
        assert f"{shown.days} of {shown.month_days} days" in html


def test_a_transferred_number_has_only_the_fees_on_its_first_invoice(personas, login, catalogue, today_is):
    today_is(dt.date(2026, 11, 10))
    client = login(personas.admin_a)
    number = {
        "choice": "port",
        "port_number": "20 11 22 33",
        "port_operator": "telenor",
        "signed_name": "Anne Admin",
        "consent": "on",
    }
    summary = _summary(client, catalogue, product="mobil-plus-30", add_ons=[], number=number, sim={"choice": "esim"})
    shown = summary.context["first_invoice"]
    assert shown.start is None
    assert [(line.kind, line.amount) for line in shown.lines] == [("one_off", 4900)]
    client.post(u("summary"), {"token": summary.context["token"]})
    assert Subscription.objects.get(company=personas.company_a).port_in_requested
    result = run_billing("2026-11", by=Actor.system("test"), issue_date=dt.date(2026, 12, 1))
    invoice = Invoice.objects.get(pk__in=result.created, company=personas.company_a)
    assert (invoice.net, invoice.vat, invoice.total) == (shown.net, shown.vat, shown.total) == (4900, 1225, 6125)


def test_prices_incl_vat_add_25_percent_rounded_half_up():
    assert pricing.Price(14900).gross == 18625
    assert pricing.Price(1).vat == 0 and pricing.Price(2).vat == 1  # 0.25 → 0, 0.5 → 1 (half up)


def test_the_type_step_shows_price_binding_and_what_is_included_with_vat(personas, login, catalogue):
    client = login(personas.admin_a)
    client.post(u("user"), {"user_name": "Åse Ørsted"})
    html = client.get(u("product")).content.decode()
    assert 'DKK 199.00</strong> <span class="d-block small">per month excl. VAT</span>' in html  # Mobile Pro 100 GB
    assert "DKK 248.75 incl. VAT" in html
    assert "Binding period 6 months" in html and "100 GB data per month" in html
    assert "exclude VAT (25 %)" in html
    assert '<h2 class="h5 mb-3" data-testid="step-heading">Step 2 of 5: Subscription type</h2>' in html
