"""Keeping a number from another operator in the subscription guide: a real port (issues 4 and 6).

The guide creates a port request (mobile for a mobile subscription) submitted to the staff queue;
the subscription stays pending until staff complete the port, which activates it.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.actor import Actor
from audit.models import AuditEvent
from common.telecom import NumberError, parse_landline, parse_mobile
from invoicing.billing import billable_subscriptions
from numbering import actions
from numbering.models import PhoneNumber, PortRequest
from subscriptions.catalogue import ensure_catalogue
from subscriptions.identifiers import iccid_with_check
from subscriptions.models import NumberPool, Subscription
from subscriptions.tasks import provision_subscription
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
CONSENT = {"signed_name": "Anne Admin", "consent": "on"}


@pytest.fixture
def catalogue(db):
    products = ensure_catalogue()
    NumberPool.objects.create(phone_number="+4542100001")
    return products


def u(step):
    return reverse(f"subscriptions:create_{step}")


def _guide(
    client, catalogue, *, product="mobil-basis-5", number="30 12 34 56", operator="telia", extra=None, execute=None
):
    client.post(u("user"), {"user_name": "Åse Ørsted", "email": "ase@firma.dk"})
    client.post(u("product"), {"product": catalogue[product].pk})
    response = client.post(
        u("number"),
        {"choice": "port", "port_number": number, "port_operator": operator, **(CONSENT if extra is None else extra)},
    )
    assert response.status_code == 302, response.context["form"].errors
    if catalogue[product].kind != "landline":
        client.post(u("sim"), {"choice": "physical", "iccid": iccid_with_check("894501999999999999")})
    summary = client.get(u("summary"))
    assert summary.status_code == 200
    return summary


def _create(client, catalogue, capture, **kwargs):
    summary = _guide(client, catalogue, **kwargs)
    with capture(execute=True):
        response = client.post(u("summary"), {"token": summary.context["token"]}, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 302
    return Subscription.all_companies.get(), summary


def test_it_creates_a_submitted_mobile_port_request_and_keeps_the_subscription_pending(
    personas, login, catalogue, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.STAFF_NOTIFICATION_EMAILS = ["porting@operator.example"]
    client = login(personas.admin_a)
    sub, summary = _create(client, catalogue, django_capture_on_commit_callbacks)
    assert "Anne Admin" in summary.content.decode()

    # Provisioning ran on commit (Immediate backend) and left it pending: it waits for the number.
    assert sub.status == Subscription.Status.PENDING_ACTIVE
    assert (sub.phone_number, sub.port_in_requested, sub.port_in_operator) == ("+4530123456", True, "Telia")
    port = PortRequest.all_companies.get()
    assert (port.kind, port.status, port.subscription, port.company) == ("mobile", "submitted", sub, personas.company_a)
    assert [n.number for n in port.numbers.all()] == ["+4530123456"]
    assert (port.current_operator, port.holder_name, port.cvr) == (
        "telia",
        personas.company_a.name,
        personas.company_a.cvr,
    )
    # The holder's consent, recorded like the portal signature of the Numbers area: name, time, user, IP.
    assert (port.authorisation_method, port.signed_name, port.signed_by) == ("signed", "Anne Admin", personas.admin_a)
    assert port.signed_ip == "127.0.0.1" and port.signed_at is not None
    assert port.desired_date >= timezone.localdate()
    actions_seen = set(AuditEvent.objects.filter(company=personas.company_a).values_list("action", flat=True))
    assert {"subscription.created", "numbers.port_created", "numbers.port_submitted"} <= actions_seen
    assert "subscription.activated" not in actions_seen
    assert AuditEvent.all_companies.get(action="subscription.created").details["port_request"] == port.reference

    # Staff see it in their queue, marked as mobile; the customer sees it under Numbers with a link back.
    queue = login(personas.staff).get(reverse("numbers:staff_queue"))
    assert [p.pk for p in queue.context["page"]] == [port.pk]
    assert "Mobile" in queue.content.decode()
    page = client.get(reverse("numbers:port_detail", kwargs={"port_id": port.pk}))
    assert reverse("subscriptions:detail", kwargs={"subscription_id": sub.pk}) in page.content.decode()
    detail = client.get(reverse("subscriptions:detail", kwargs={"subscription_id": sub.pk}))
    assert reverse("numbers:port_detail", kwargs={"port_id": port.pk}) in detail.content.decode()
    # A mobile port is not a landline number "porting in" on the Numbers overview.
    assert not PhoneNumber.all_companies.exists()


def test_it_does_not_activate_a_subscription_waiting_for_its_port(personas):
    sub = SubscriptionFactory(
        company=personas.company_a, status=Subscription.Status.PENDING_ACTIVE, port_in_requested=True
    )
    provision_subscription.enqueue(sub.pk)
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.PENDING_ACTIVE
    plain = SubscriptionFactory(company=personas.company_a, status=Subscription.Status.PENDING_ACTIVE)
    provision_subscription.enqueue(plain.pk)
    plain.refresh_from_db()
    assert plain.status == Subscription.Status.ACTIVE


def test_it_activates_the_subscription_when_staff_complete_the_port(
    personas, login, catalogue, django_capture_on_commit_callbacks
):
    sub, _summary = _create(login(personas.admin_a), catalogue, django_capture_on_commit_callbacks)
    port = PortRequest.all_companies.get()
    staff = login(personas.staff)
    url = reverse("numbers:staff_port", kwargs={"port_id": port.pk})
    # Completing before the port is scheduled is refused and changes nothing.
    staff.post(url, {"action": "complete", "ported": ["+4530123456"]})
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.PENDING_ACTIVE
    day = timezone.localdate() + datetime.timedelta(days=2)
    staff.post(url, {"action": "schedule", "date": day.isoformat(), "time": "06:00"})
    port.refresh_from_db()
    assert port.status == "scheduled"
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.PENDING_ACTIVE
    response = staff.post(url, {"action": "complete", "ported": ["+4530123456"]})
    assert response.status_code == 302
    port.refresh_from_db()
    sub.refresh_from_db()
    assert port.status == "completed"
    assert sub.status == Subscription.Status.ACTIVE
    assert sub.start_date == timezone.localdate()
    event = AuditEvent.all_companies.get(action="subscription.activated", target_id=str(sub.pk))
    assert event.details["port_request"] == port.reference
    assert event.actor == personas.staff
    # Mobile numbers live on the subscription, not among the company's landline numbers.
    assert not PhoneNumber.all_companies.exists()


def test_it_does_not_bill_a_subscription_waiting_for_its_port(personas):
    first, last = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)
    waiting = SubscriptionFactory(
        company=personas.company_a, status=Subscription.Status.PENDING_ACTIVE, port_in_requested=True, start_date=first
    )
    pending = SubscriptionFactory(
        company=personas.company_a, status=Subscription.Status.PENDING_ACTIVE, start_date=first
    )
    billed = set(billable_subscriptions(first, last).values_list("pk", flat=True))
    assert pending.pk in billed and waiting.pk not in billed


def test_it_refuses_a_landline_number_for_a_mobile_subscription(personas, login, catalogue):
    client = login(personas.admin_a)
    client.post(u("user"), {"user_name": "Åse"})
    client.post(u("product"), {"product": catalogue["mobil-basis-5"].pk})
    response = client.post(
        u("number"), {"choice": "port", "port_number": "33 12 34 56", "port_operator": "tdc", **CONSENT}
    )
    assert response.status_code == 400
    assert "not a mobile number" in response.context["form"].errors["port_number"][0]


def test_it_refuses_a_mobile_number_for_a_landline_subscription(personas, login, catalogue):
    client = login(personas.admin_a)
    client.post(u("user"), {"user_name": "Åse"})
    client.post(u("product"), {"product": catalogue["fastnet-ip"].pk})
    response = client.post(
        u("number"), {"choice": "port", "port_number": "30 12 34 56", "port_operator": "tdc", **CONSENT}
    )
    assert response.status_code == 400
    assert "is a mobile number" in response.context["form"].errors["port_number"][0]


def test_it_asks_for_the_number_again_when_the_type_changes_between_mobile_and_landline(personas, login, catalogue):
    client = login(personas.admin_a)
    _guide(client, catalogue)
    client.post(u("product"), {"product": catalogue["fastnet-ip"].pk})
    assert client.get(u("summary"))["Location"] == u("number")


def test_it_makes_a_landline_port_request_for_a_landline_subscription(
    personas, login, catalogue, django_capture_on_commit_callbacks, staff_actor
):
    sub, _summary = _create(
        login(personas.admin_a),
        catalogue,
        django_capture_on_commit_callbacks,
        product="fastnet-ip",
        number="33 12 34 56",
        operator="tdc",
    )
    port = PortRequest.all_companies.get()
    assert (port.kind, port.subscription, sub.status) == ("landline", sub, Subscription.Status.PENDING_ACTIVE)
    actions.schedule_port_request(port, at=timezone.now() + datetime.timedelta(days=2), by=staff_actor)
    actions.complete_port_request(port, ported=["+4533123456"], note="", by=staff_actor)
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.ACTIVE
    assert PhoneNumber.all_companies.get().number == "+4533123456"


def test_the_port_action_refuses_the_wrong_kind_of_number(personas, staff_actor, catalogue):
    mobile = SubscriptionFactory(
        company=personas.company_a,
        product=catalogue["mobil-basis-5"],
        status=Subscription.Status.PENDING_ACTIVE,
        port_in_requested=True,
    )
    with pytest.raises(ValidationError, match="not a mobile number"):
        actions.create_subscription_port_request(
            subscription=mobile, number="+4533123456", current_operator="tdc", signed_name="A", by=staff_actor
        )
    with pytest.raises(ValidationError):
        actions.create_subscription_port_request(
            subscription=mobile, number="+4530123456", current_operator="tdc", signed_name="  ", by=staff_actor
        )
    with pytest.raises(ValidationError):
        actions.create_subscription_port_request(
            subscription=mobile, number="+4530123456", current_operator="nobody", signed_name="A", by=staff_actor
        )
    assert not PortRequest.all_companies.exists()


def test_parsers_keep_landline_and_mobile_apart():
    assert parse_mobile("+45 30 12 34 56") == "+4530123456"
    with pytest.raises(NumberError):
        parse_mobile("33 12 34 56")
    with pytest.raises(NumberError):
        parse_mobile("123")
    with pytest.raises(NumberError):
        parse_landline("30 12 34 56")


def test_cancelling_the_port_cancels_the_waiting_subscription(
    personas, login, catalogue, django_capture_on_commit_callbacks
):
    client = login(personas.admin_a)
    sub, _summary = _create(client, catalogue, django_capture_on_commit_callbacks)
    port = PortRequest.all_companies.get()
    page = client.get(reverse("numbers:port_detail", kwargs={"port_id": port.pk})).content.decode()
    assert 'data-testid="cancel-subscription-warning"' in page
    client.post(reverse("numbers:port_cancel", kwargs={"port_id": port.pk}), {"reason": "Fortrudt"})
    port.refresh_from_db()
    sub.refresh_from_db()
    assert port.status == "cancelled"
    assert sub.status == Subscription.Status.CANCELLED
    assert AuditEvent.all_companies.filter(action="subscription.cancelled", target_id=str(sub.pk)).exists()


def test_cancelling_the_waiting_subscription_cancels_its_port(
    personas, login, catalogue, django_capture_on_commit_callbacks
):
    client = login(personas.admin_a)
    sub, _summary = _create(client, catalogue, django_capture_on_commit_callbacks)
    from subscriptions.actions import cancel

    cancel(sub, on=timezone.localdate(), reason="Medarbejderen stoppede", by=Actor(user=personas.admin_a))
    port = PortRequest.all_companies.get()
    assert port.status == "cancelled"
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.CANCELLED


def test_a_scheduled_port_stops_the_cancellation_of_its_subscription(
    personas, login, catalogue, django_capture_on_commit_callbacks, staff_actor
):
    sub, _summary = _create(login(personas.admin_a), catalogue, django_capture_on_commit_callbacks)
    port = PortRequest.all_companies.get()
    actions.schedule_port_request(port, at=timezone.now() + datetime.timedelta(days=2), by=staff_actor)
    from subscriptions.actions import cancel

    with pytest.raises(ValidationError):
        cancel(sub, on=timezone.localdate(), reason="Stop", by=Actor(user=personas.admin_a))
    sub.refresh_from_db()
    port.refresh_from_db()
    assert (sub.status, port.status) == (Subscription.Status.PENDING_ACTIVE, "scheduled")


def test_a_rejected_mobile_request_is_corrected_without_changing_its_number(
    personas, login, catalogue, django_capture_on_commit_callbacks, staff_actor
):
    client = login(personas.admin_a)
    _create(client, catalogue, django_capture_on_commit_callbacks)
    port = PortRequest.all_companies.get()
    actions.reject_port_request(port, reason="Nummeret er ikke hos Telia", by=staff_actor)
    url = reverse("numbers:port_edit", kwargs={"port_id": port.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "numbers": "33 12 34 56",  # ignored: the number belongs to the subscription
            "current_operator": "telenor",
            "holder_name": personas.company_a.name,
            "cvr": personas.company_a.cvr,
            "desired_date": port.desired_date.isoformat(),
            "notification_emails": "admin-a@alfa.dk",
            "notification_language": "da",
            "authorisation_method": "signed",
            "signed_name": "Anne Admin",
            "consent": "on",
            "submit": "1",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    port.refresh_from_db()
    assert (port.status, port.current_operator) == ("submitted", "telenor")
    assert [n.number for n in port.numbers.all()] == ["+4530123456"]
