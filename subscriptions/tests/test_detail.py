import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from subscriptions.models import SimOrder, Subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sub(personas, catalogue):
    return SubscriptionFactory(company=personas.company_a, product=catalogue["mobil-basis-5"], user_name="Åse Holm")


def url(name, sub):
    return reverse(f"subscriptions:{name}", kwargs={"subscription_id": sub.pk})


def test_it_shows_the_profile_with_history(sub, login, personas):
    response = login(personas.admin_a).get(url("detail", sub))
    assert response.status_code == 200
    assert "Åse Holm" in response.content.decode()
    assert b'data-testid="reveal"' in response.content


def test_it_saves_valid_details_with_an_audit_event(sub, login, personas):
    data = {
        "details-user_name": " Åse  Holm-Ørsted ",
        "details-email": "aase@firma.dk",
        "details-cost_centre": "IT",
        "details-salary_number": "A-12",
        "details-invoice_note": "Projekt 7",
    }
    response = login(personas.admin_a).post(url("detail", sub), data)
    assert response.status_code == 302
    sub.refresh_from_db()
    assert (sub.user_name, sub.cost_centre, sub.salary_number) == ("Åse Holm-Ørsted", "IT", "A-12")
    assert AuditEvent.all_companies.get(action="subscription.details_changed").details["changes"]["cost_centre"] == [
        "Salg",
        "IT",
    ]


@pytest.mark.parametrize(
    "field,value",
    [("user_name", "   "), ("email", "not-an-email"), ("salary_number", "12; drop"), ("cost_centre", "x" * 41)],
)
def test_it_rejects_bad_details_and_changes_nothing(sub, login, personas, field, value):
    data = {
        "details-user_name": "Åse Holm",
        "details-email": "",
        "details-cost_centre": "",
        "details-salary_number": "",
        "details-invoice_note": "",
        f"details-{field}": value,
    }
    response = login(personas.admin_a).post(url("detail", sub), data)
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not AuditEvent.all_companies.filter(action="subscription.details_changed").exists()


def test_it_reveals_pin_and_puk_only_on_post_and_audits_each_reveal(sub, login, personas):
    client = login(personas.readonly_a)
    assert b"87654321" not in client.get(url("detail", sub)).content
    response = client.post(url("reveal", sub))
    assert b"87654321" in response.content and b"1234" in response.content
    client.post(url("reveal", sub))
    assert (
        AuditEvent.all_companies.filter(action="subscription.secret_revealed", actor=personas.readonly_a).count() == 2
    )


def test_it_stores_pin_and_puk_encrypted(sub):
    raw = Subscription.all_companies.values_list("pin_encrypted", "puk_encrypted").get(pk=sub.pk)
    assert "1234" not in raw[0] and "87654321" not in raw[1]
    assert sub.puk == "87654321"


def test_it_shows_the_price_difference_before_upgrading(sub, login, personas, catalogue):
    client = login(personas.admin_a)
    target = catalogue["mobil-plus-30"]
    preview = client.post(url("change_product", sub), {"target": target.pk, "effective": "now"})
    assert b'data-testid="price-difference"' in preview.content
    assert "50.00" in preview.content.decode() or "50,00" in preview.content.decode()
    sub.refresh_from_db()
    assert sub.product.code == "mobil-basis-5"
    client.post(url("change_product", sub), {"target": target.pk, "effective": "now", "confirm": "1"})
    sub.refresh_from_db()
    assert sub.product == target


def test_it_schedules_a_change_for_the_next_period(sub, login, personas, catalogue):
    login(personas.admin_a).post(
        url("change_product", sub), {"target": catalogue["mobil-fri"].pk, "effective": "next_period", "confirm": "1"}
    )
    sub.refresh_from_db()
    assert sub.product.code == "mobil-basis-5"
    assert sub.scheduled_product.code == "mobil-fri"
    assert sub.scheduled_product_date.day == 1


@pytest.mark.parametrize("target_code", ["mbb-50", "mobil-basis-5"])
def test_it_refuses_a_target_that_is_not_allowed(sub, login, personas, catalogue, target_code):
    response = login(personas.admin_a).post(
        url("change_product", sub), {"target": catalogue[target_code].pk, "effective": "now", "confirm": "1"}
    )
    assert response.status_code == 400
    sub.refresh_from_db()
    assert sub.product.code == "mobil-basis-5"


def test_it_cancels_with_a_date_reason_and_confirmation(sub, login, personas):
    client = login(personas.admin_a)
    day = timezone.localdate() + datetime.timedelta(days=40)
    data = {"end_date": day.isoformat(), "reason": "Fratrådt"}
    assert b'data-testid="cancel-confirm"' in client.post(url("cancel", sub), data).content
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.ACTIVE
    client.post(url("cancel", sub), {**data, "confirm": "1"})
    sub.refresh_from_db()
    assert (sub.status, sub.end_date, sub.cancel_reason) == (Subscription.Status.PENDING_TERMINATE, day, "Fratrådt")


@pytest.mark.parametrize(
    "data",
    [
        {"end_date": "", "reason": "x"},
        {"end_date": "2020-01-01", "reason": "x"},
        {"end_date": "tomorrow", "reason": "x"},
        {"end_date": "2099-01-01", "reason": "  "},
    ],
)
def test_it_refuses_a_bad_cancellation(sub, login, personas, data):
    if data["end_date"] == "2020-01-01":
        data = {**data, "end_date": (timezone.localdate() + datetime.timedelta(days=5)).isoformat()}
    response = login(personas.admin_a).post(url("cancel", sub), {**data, "confirm": "1"})
    assert response.status_code == 400
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.ACTIVE


def test_it_withdraws_a_pending_cancellation(sub, login, personas):
    sub.status, sub.end_date, sub.cancel_reason = (
        "pending_terminate",
        timezone.localdate() + datetime.timedelta(days=9),
        "x",
    )
    sub.save()
    login(personas.admin_a).post(url("withdraw", sub))
    sub.refresh_from_db()
    assert (sub.status, sub.end_date) == (Subscription.Status.ACTIVE, None)


def test_it_blocks_a_lost_sim_at_once_and_orders_a_new_one(sub, login, personas):
    old = sub.iccid
    login(personas.admin_a).post(
        url("sim", sub), {"kind": "replacement", "ship_to": "Havnegade 12\n1058 København K", "reason": "Mistet"}
    )
    sub.refresh_from_db()
    assert sub.sim_blocked
    assert SimOrder.all_companies.get(subscription=sub).blocked_iccid == old


def test_it_moves_to_esim_with_a_new_iccid(sub, login, personas):
    old = sub.iccid
    login(personas.admin_a).post(url("sim", sub), {"kind": "esim"})
    sub.refresh_from_db()
    assert (sub.sim_type, sub.sim_blocked) == ("esim", False)
    assert sub.iccid != old and sub.puk != "87654321"


def test_it_needs_an_address_for_a_replacement_sim(sub, login, personas):
    response = login(personas.admin_a).post(url("sim", sub), {"kind": "replacement", "ship_to": " "})
    assert response.status_code == 400
    sub.refresh_from_db()
    assert not sub.sim_blocked


def test_it_hides_action_buttons_from_read_only_admins(sub, login, personas):
    content = login(personas.readonly_a).get(url("detail", sub)).content
    assert b'data-testid="cancel"' not in content and b'data-testid="details-form"' not in content
    assert b'data-testid="reveal"' in content


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [("en", "Premium-rate services:", "Overtakserede"), ("da", "Overtakserede tjenester: 90-numre", "premium texts")],
)
def test_the_block_help_is_in_one_language(sub, login, personas, language, shown, hidden):
    personas.admin_a.language = language
    personas.admin_a.save()
    page = login(personas.admin_a).get(url("detail", sub)).content.decode()
    assert shown in page and hidden not in page
