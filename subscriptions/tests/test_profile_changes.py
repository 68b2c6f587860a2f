"""The profile's add-ons, service blocks and suspension (issue 4, follow-up)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.actor import Actor
from audit.models import AuditEvent
from invoicing.billing import run_billing
from invoicing.models import Invoice, InvoiceLine
from invoicing.money import pro_rata
from subscriptions import actions
from subscriptions.models import AddOn, Subscription
from subscriptions.tests.factories import AddOnFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sub(personas, catalogue):
    sub = SubscriptionFactory(company=personas.company_a, product=catalogue["mobil-plus-30"], user_name="Åse Holm")
    sub.add_ons.add(AddOn.objects.get(code="voicemail-pro"))
    return sub


def url(name, sub):
    return reverse(f"subscriptions:{name}", kwargs={"subscription_id": sub.pk})


def addon(code):
    return AddOn.objects.get(code=code)


def codes(sub):
    return sorted(sub.add_ons.values_list("code", flat=True))


# Add-ons ---------------------------------------------------------------------


def test_it_offers_only_the_add_ons_of_the_subscription_type(sub, login, personas, catalogue):
    response = login(personas.admin_a).get(url("add_ons", sub))
    assert response.status_code == 200
    offered = {a.code for a in response.context["form"].fields["add_ons"].queryset}
    assert offered == {"eu-roaming-plus", "ekstra-data-20", "voicemail-pro", "dobbelt-sim", "nummervisning-skjult"}
    landline = SubscriptionFactory(company=personas.company_a, product=catalogue["fastnet-ip"])
    offered = {a.code for a in actions.allowed_add_ons(landline)}
    assert offered == {"voicemail-pro", "nummervisning-skjult"}


def test_it_shows_the_price_change_before_confirming_and_changes_nothing_yet(sub, login, personas):
    client = login(personas.admin_a)
    data = {"add_ons": [addon("eu-roaming-plus").pk, addon("dobbelt-sim").pk]}  # +99 +29, -19
    response = client.post(url("add_ons", sub), data)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.old_total, preview.new_total, preview.difference) == (14900 + 1900, 14900 + 9900 + 2900, 10900)
    assert b'data-testid="price-difference"' in response.content
    assert "DKK 109.00" in response.content.decode()
    assert codes(sub) == ["voicemail-pro"]
    assert not AuditEvent.all_companies.filter(action="subscription.add_ons_changed").exists()


def test_it_adds_and_removes_add_ons_on_confirm_with_one_audit_event(sub, login, personas):
    client = login(personas.admin_a)
    data = {"add_ons": [addon("eu-roaming-plus").pk, addon("dobbelt-sim").pk], "confirm": "1"}
    response = client.post(url("add_ons", sub), data)
    assert response.status_code == 302
    assert codes(sub) == ["dobbelt-sim", "eu-roaming-plus"]
    event = AuditEvent.all_companies.get(action="subscription.add_ons_changed")
    # Listed by name: Roaming World 10 GB, Twin SIM (smartwatch).
    assert event.details == {
        "added": ["eu-roaming-plus", "dobbelt-sim"],
        "removed": ["voicemail-pro"],
        "difference_ore": 10900,
    }
    assert event.actor == personas.admin_a and event.target_id == str(sub.pk)
    history = client.get(url("detail", sub)).content.decode()
    assert "Changed add-ons: + Roaming World 10 GB, + Twin SIM (smartwatch), − Voicemail to e-mail" in history  # noqa: RUF001


def test_it_removes_all_add_ons_when_none_are_ticked(sub, login, personas):
    response = login(personas.admin_a).post(url("add_ons", sub), {"confirm": "1"})
    assert response.status_code == 302
    assert codes(sub) == []


@pytest.mark.parametrize("bad", ["mbb-only", "inactive", "garbage", "huge", "nothing"])
def test_it_refuses_bad_add_on_input_and_changes_nothing(sub, login, personas, bad):
    other = AddOnFactory(code="mbb-only")
    other.products.set([sub.product.__class__.objects.get(code="mbb-50")])
    inactive = AddOnFactory(code="gone", is_active=False)
    inactive.products.set([sub.product])
    values = {
        "mbb-only": [other.pk],
        "inactive": [inactive.pk],
        "garbage": ["abc"],
        "huge": [str(2**70)],
        "nothing": [addon("voicemail-pro").pk],  # the same set as now
    }[bad]
    response = login(personas.admin_a).post(url("add_ons", sub), {"add_ons": values, "confirm": "1"})
    assert response.status_code == 400
    assert b"errorlist" in response.content or b"alert" in response.content
    assert codes(sub) == ["voicemail-pro"]
    assert not AuditEvent.all_companies.filter(action="subscription.add_ons_changed").exists()


def test_it_keeps_an_add_on_no_longer_sold_until_it_is_removed(sub, login, personas):
    AddOn.objects.filter(code="voicemail-pro").update(is_active=False)
    client = login(personas.admin_a)
    keep = {"add_ons": [addon("voicemail-pro").pk, addon("ekstra-data-20").pk], "confirm": "1"}
    assert client.post(url("add_ons", sub), keep).status_code == 302
    assert codes(sub) == ["ekstra-data-20", "voicemail-pro"]


def test_it_refuses_add_on_changes_on_a_terminated_subscription(sub, login, personas):
    Subscription.all_companies.filter(pk=sub.pk).update(status=Subscription.Status.TERMINATED)
    client = login(personas.admin_a)
    assert b"change-add-ons" not in client.get(url("detail", sub)).content
    response = client.post(url("add_ons", sub), {"add_ons": [addon("ekstra-data-20").pk], "confirm": "1"})
    assert response.status_code == 400
    assert codes(sub) == ["voicemail-pro"]


def test_a_new_add_on_is_on_the_next_invoice(sub, personas):
    # Billing (invoicing/billing.py) reads the add-ons at the billing run and prices each for the days the
    # subscription was active in the period; it keeps no date per add-on, so an add-on added mid-month is
    # billed for the whole of those days (not pro rata from the day it was added).
    sub.start_date = dt.date(2026, 11, 11)  # 20 of November's 30 days
    sub.save()
    actions.change_add_ons(sub, add_ons=[addon("voicemail-pro"), addon("ekstra-data-20")], by=Actor.system("test"))
    result = run_billing("2026-11", by=Actor.system("test"), issue_date=dt.date(2026, 12, 1))
    invoice = Invoice.all_companies.get(pk__in=result.created, company=personas.company_a)
    lines = invoice.sections.get(subscription=sub).lines.filter(kind=InvoiceLine.Kind.ADD_ON)
    amounts = {line.description: line.amount for line in lines}
    # The company's invoices are in Danish.
    assert amounts == {"Ekstra data 20 GB": pro_rata(4900, 20, 30), "Telefonsvarer til e-mail": pro_rata(1900, 20, 30)}


# Service blocks --------------------------------------------------------------


def test_it_shows_the_blocks_under_mobile_and_saves_them_with_an_audit_event(sub, login, personas):
    client = login(personas.admin_a)
    page = client.get(url("detail", sub)).content.decode()
    assert 'data-testid="blocks-form"' in page
    response = client.post(url("blocks", sub), {"blocks-block_roaming": "on", "blocks-block_premium": "on"})
    assert response.status_code == 302
    sub.refresh_from_db()
    assert (sub.block_roaming, sub.block_data, sub.block_premium) == (True, False, True)
    event = AuditEvent.all_companies.get(action="subscription.blocks_changed")
    assert event.details == {"changes": {"block_roaming": [False, True], "block_premium": [False, True]}}
    # Turning one off is its own audited change; saving without a change records nothing.
    client.post(url("blocks", sub), {"blocks-block_premium": "on"})
    client.post(url("blocks", sub), {"blocks-block_premium": "on"})
    history = client.get(url("detail", sub)).content.decode()
    assert "Changed service blocks: block calls and data abroad (roaming): off" in history
    events = AuditEvent.all_companies.filter(action="subscription.blocks_changed").order_by("pk")
    assert [e.details["changes"] for e in events] == [
        {"block_roaming": [False, True], "block_premium": [False, True]},
        {"block_roaming": [True, False]},
    ]


def test_it_refuses_blocks_on_a_landline_or_closed_subscription(personas, catalogue, login):
    landline = SubscriptionFactory(company=personas.company_a, product=catalogue["fastnet-ip"], sim_type="", iccid="")
    closed = SubscriptionFactory(company=personas.company_a, status=Subscription.Status.TERMINATED)
    client = login(personas.admin_a)
    for sub in (landline, closed):
        response = client.post(url("blocks", sub), {"blocks-block_data": "on"})
        assert response.status_code == 400
        assert "Only a running mobile subscription has service blocks." in response.content.decode()
        sub.refresh_from_db()
        assert not sub.block_data
    with pytest.raises(ValidationError):
        actions.set_blocks(
            SubscriptionFactory(company=personas.company_a), blocks={"status": True}, by=Actor.system("test")
        )


def test_read_only_admins_see_blocks_and_add_ons_but_no_buttons(sub, login, personas):
    Subscription.all_companies.filter(pk=sub.pk).update(block_data=True)
    page = login(personas.readonly_a).get(url("detail", sub)).content.decode()
    assert 'data-testid="blocks"' in page and 'data-testid="blocks-form"' not in page
    assert "change-add-ons" not in page and 'data-testid="suspend"' not in page
    assert "Voicemail to e-mail" in page


@pytest.mark.parametrize("name", ["add_ons", "blocks", "suspend", "resume"])
def test_read_only_admins_are_refused_by_the_server(sub, login, personas, name):
    Subscription.all_companies.filter(pk=sub.pk).update(status=Subscription.Status.SUSPENDED)
    data = {"add_ons": [addon("ekstra-data-20").pk], "confirm": "1", "blocks-block_data": "on", "reason": "Orlov"}
    response = login(personas.readonly_a).post(url(name, sub), data)
    assert response.status_code == 403
    sub.refresh_from_db()
    assert (sub.status, sub.block_data, codes(sub)) == (Subscription.Status.SUSPENDED, False, ["voicemail-pro"])


@pytest.mark.parametrize("name", ["add_ons", "blocks", "suspend", "resume"])
def test_another_companys_subscription_answers_404(personas, login, catalogue, name):
    other = SubscriptionFactory(company=personas.company_b, product=catalogue["mobil-plus-30"])
    response = login(personas.admin_a).post(url(name, other), {"reason": "x", "confirm": "1"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == Subscription.Status.ACTIVE


# Suspend and resume ----------------------------------------------------------


def test_it_suspends_an_active_subscription_keeping_its_number_and_resumes_it(sub, login, personas):
    client = login(personas.admin_a)
    assert b'data-testid="suspend"' in client.get(url("detail", sub)).content
    assert client.get(url("suspend", sub)).status_code == 200
    response = client.post(url("suspend", sub), {"reason": "  Barselsorlov  til 1. marts "})
    assert response.status_code == 302
    sub.refresh_from_db()
    number = sub.phone_number
    assert (sub.status, sub.suspend_reason, sub.phone_number) == ("suspended", "Barselsorlov til 1. marts", number)
    assert sub.suspended_on is not None
    assert AuditEvent.all_companies.get(action="subscription.suspended").details == {
        "reason": "Barselsorlov til 1. marts"
    }
    page = client.get(url("detail", sub)).content.decode()
    assert 'data-testid="suspended"' in page and 'data-testid="resume"' in page and "Barselsorlov" in page

    assert client.post(url("resume", sub)).status_code == 302
    sub.refresh_from_db()
    assert (sub.status, sub.suspend_reason, sub.suspended_on, sub.phone_number) == ("active", "", None, number)
    assert (
        AuditEvent.all_companies.get(action="subscription.resumed").details["suspend_reason"]
        == "Barselsorlov til 1. marts"
    )


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201])
def test_it_refuses_a_suspension_without_a_good_reason(sub, login, personas, reason):
    response = login(personas.admin_a).post(url("suspend", sub), {"reason": reason})
    assert response.status_code == 400
    assert b"errorlist" in response.content
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.ACTIVE
    assert not AuditEvent.all_companies.filter(action="subscription.suspended").exists()


@pytest.mark.parametrize("status", ["pending_active", "suspended", "pending_terminate", "terminated", "cancelled"])
def test_it_refuses_suspending_anything_not_active_with_a_clear_message(sub, login, personas, status):
    Subscription.all_companies.filter(pk=sub.pk).update(status=status)
    client = login(personas.admin_a)
    assert b'data-testid="suspend"' not in client.get(url("detail", sub)).content
    response = client.post(url("suspend", sub), {"reason": "Orlov"})
    assert response.status_code == 400
    assert "Only an active subscription can be suspended." in response.content.decode()
    sub.refresh_from_db()
    assert sub.status == status


@pytest.mark.parametrize("status", ["pending_active", "active", "pending_terminate", "terminated", "cancelled"])
def test_it_refuses_resuming_anything_not_suspended(sub, login, personas, status):
    Subscription.all_companies.filter(pk=sub.pk).update(status=status)
    response = login(personas.admin_a).post(url("resume", sub), follow=True)
    assert "Only a suspended subscription can be resumed." in response.content.decode()
    sub.refresh_from_db()
    assert sub.status == status
    assert not AuditEvent.all_companies.filter(action="subscription.resumed").exists()


def test_a_suspended_subscription_can_still_be_cancelled(sub, personas):
    actions.suspend(sub, reason="Orlov", by=Actor.system("test"))
    sub.refresh_from_db()
    actions.cancel(sub, on=actions.earliest_cancel_date(sub), reason="Fratrådt", by=Actor.system("test"))
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.PENDING_TERMINATE


def test_withdrawing_the_cancellation_of_a_suspended_subscription_leaves_it_suspended(sub, login, personas):
    actions.suspend(sub, reason="Orlov", by=Actor.system("test"))
    sub.refresh_from_db()
    actions.cancel(sub, on=actions.earliest_cancel_date(sub), reason="Fratrådt", by=Actor.system("test"))
    assert login(personas.admin_a).post(url("withdraw", sub)).status_code == 302
    sub.refresh_from_db()
    assert (sub.status, sub.suspend_reason) == (Subscription.Status.SUSPENDED, "Orlov")


@pytest.mark.parametrize("status", ["suspended", "cancelled", "pending_active", "pending_terminate", "terminated"])
def test_suspending_a_subscription_that_is_not_active_says_why_instead_of_failing(sub, login, personas, status):
    Subscription.all_companies.filter(pk=sub.pk).update(status=status)
    client = login(personas.admin_a)
    response = client.get(url("suspend", sub))
    assert response.status_code == 200
    assert b"Only an active subscription can be suspended" in response.content
    response = client.post(url("suspend", sub), {"reason": "Ferie"})
    assert response.status_code == 400
    assert b"Only an active subscription can be suspended" in response.content
