"""TMF622 productOrder: cancel a subscription or change its type, with the portal's rules."""

import datetime

import pytest
from django.utils import timezone

from api.models import ProductOrder
from audit.models import AuditEvent
from subscriptions import actions
from subscriptions.models import Subscription
from subscriptions.tests.factories import AddOnFactory, ProductFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

ORDERS = "/tmf-api/productOrdering/v4/productOrder"


def _cancel(sub, **extra):
    return {
        "description": "Medarbejderen er stoppet",
        "productOrderItem": [{"id": "1", "action": "delete", "product": {"id": str(sub.pk)}}],
        **extra,
    }


def _change(sub, code, **extra):
    item = {"action": "modify", "product": {"id": str(sub.pk), "productOffering": {"id": code}}}
    return {"productOrderItem": [item], **extra}


def _fresh(sub):
    return Subscription.objects.for_company(sub.company).get(pk=sub.pk)


def test_it_cancels_on_the_earliest_date_by_default(personas, api_a):
    sub = SubscriptionFactory(company=personas.company_a)
    earliest = actions.earliest_cancel_date(sub)
    response = api_a.post(ORDERS, _cancel(sub))
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["state"] == "completed"
    assert order["requestedCompletionDate"] == earliest.isoformat()
    assert response["Location"] == order["href"]
    sub = _fresh(sub)
    assert (sub.status, sub.end_date, sub.cancel_reason) == (
        Subscription.Status.PENDING_TERMINATE,
        earliest,
        "Medarbejderen er stoppet",
    )
    event = AuditEvent.objects.for_company(personas.company_a).get(action="subscription.cancelled")
    assert event.actor == api_a.client.user
    assert api_a.get(f"{ORDERS}/{order['id']}").json() == order
    assert [o["id"] for o in api_a.get(ORDERS).json()] == [order["id"]]


def test_it_refuses_a_date_before_the_earliest(personas, api_a):
    sub = SubscriptionFactory(company=personas.company_a)
    too_early = actions.earliest_cancel_date(sub) - datetime.timedelta(days=1)
    response = api_a.post(ORDERS, _cancel(sub, requestedCompletionDate=too_early.isoformat()))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "requestedCompletionDate"
    assert _fresh(sub).status == Subscription.Status.ACTIVE
    assert not ProductOrder.objects.for_company(personas.company_a).exists()


def test_a_cancellation_needs_a_reason(personas, api_a):
    sub = SubscriptionFactory(company=personas.company_a)
    response = api_a.post(ORDERS, _cancel(sub, description=" "))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "description"


def test_cancelling_twice_answers_409(personas, api_a):
    sub = SubscriptionFactory(company=personas.company_a)
    assert api_a.post(ORDERS, _cancel(sub)).status_code == 201
    response = api_a.post(ORDERS, _cancel(sub))
    assert response.status_code == 409
    assert response.json()["code"] == "not_open"


def test_a_retried_cancellation_with_its_key_is_one_order(personas, api_a):
    sub = SubscriptionFactory(company=personas.company_a)
    first = api_a.post(ORDERS, _cancel(sub), HTTP_IDEMPOTENCY_KEY="leaver-17")
    again = api_a.post(ORDERS, _cancel(sub), HTTP_IDEMPOTENCY_KEY="leaver-17")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert ProductOrder.objects.for_company(personas.company_a).count() == 1


def test_it_changes_the_type_now_or_from_next_month(personas, api_a):
    small, big = ProductFactory(code="mobil-5"), ProductFactory(code="mobil-50", monthly_price=24900)
    small.allowed_changes.add(big)
    now = SubscriptionFactory(company=personas.company_a, product=small)
    later = SubscriptionFactory(company=personas.company_a, product=small)
    assert api_a.post(ORDERS, _change(now, "mobil-50")).status_code == 201
    assert _fresh(now).product == big
    next_month = actions.first_of_next_month(timezone.localdate())
    response = api_a.post(ORDERS, _change(later, "mobil-50", requestedCompletionDate=next_month.isoformat()))
    assert response.status_code == 201
    later = _fresh(later)
    assert (later.product, later.scheduled_product, later.scheduled_product_date) == (small, big, next_month)


def test_it_drops_the_add_ons_the_new_type_cannot_have(personas, api_a):
    small, big = ProductFactory(code="mobil-5"), ProductFactory(code="mobil-50")
    small.allowed_changes.add(big)
    sub = SubscriptionFactory(company=personas.company_a, product=small)
    sub.add_ons.add(AddOnFactory())
    assert api_a.post(ORDERS, _change(sub, "mobil-50")).status_code == 201
    assert not _fresh(sub).add_ons.exists()


@pytest.mark.parametrize(
    ("code", "date", "field"),
    [
        ("mobil-ukendt", None, "productOrderItem[0].product.productOffering.id"),
        ("mobil-5", None, "productOrderItem[0].product.productOffering.id"),
        ("mobil-50", "2030-01-15", "requestedCompletionDate"),
    ],
)
def test_it_refuses_changes_the_portal_refuses(personas, api_a, code, date, field):
    small, big = ProductFactory(code="mobil-5"), ProductFactory(code="mobil-50")
    small.allowed_changes.add(big)
    sub = SubscriptionFactory(company=personas.company_a, product=small)
    body = _change(sub, code, **({"requestedCompletionDate": date} if date else {}))
    response = api_a.post(ORDERS, body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert _fresh(sub).product == small


def test_another_companys_product_or_order_is_not_found(personas, api_a, api_b):
    theirs = SubscriptionFactory(company=personas.company_b)
    response = api_a.post(ORDERS, _cancel(theirs))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "productOrderItem[0].product.id"
    assert _fresh(theirs).status == Subscription.Status.ACTIVE
    order = api_b.post(ORDERS, _cancel(theirs)).json()
    assert api_a.get(f"{ORDERS}/{order['id']}").status_code == 404
    assert api_a.get(ORDERS).json() == []
