"""An employee asks for an upgrade or a new SIM; the company's admins who hold Subscriptions decide in one click."""

import pytest

from audit.models import AuditEvent
from companies.models import Membership
from companies.tests.factories import MembershipFactory
from employees.models import EmployeeRequest
from employees.tests.conftest import sent
from employees.tests.factories import EmployeeRequestFactory
from portal.testing import portal_routes, url_kwarg_factories
from subscriptions.models import SimOrder

pytestmark = pytest.mark.django_db


def _ask_upgrade(client, sub, product):
    return client.post(f"/employee/{sub.pk}/ask/", {"kind": "upgrade", "product": product.pk, "message": "More data"})


def test_an_upgrade_request_mails_the_admins_who_hold_subscriptions(employee_client, anna, personas, products):
    danish = MembershipFactory(company=personas.company_a, user__email="dansk@alfa.dk", user__language="da").user
    client = employee_client("anna@alfa.dk")
    before = len(sent())
    response = _ask_upgrade(client, anna, products[1])
    assert response.status_code == 302
    req = EmployeeRequest.objects.for_company(personas.company_a).get()
    assert (req.kind, req.product, req.email, req.status) == ("upgrade", products[1], "anna@alfa.dk", "pending")
    mails = {m.to[0]: m for m in sent()[before:]}
    # Full access to Subscriptions: not the read-only admin, not the invoice-only one, not another company's.
    assert set(mails) == {personas.admin_a.email, personas.admin_ab.email, danish.email}
    assert "Anna Jensen asks for a change to Mobile 50 GB" == mails[personas.admin_a.email].subject
    assert f"/employee-requests/{req.pk}/" in mails[personas.admin_a.email].body
    assert "More data" in mails[personas.admin_a.email].body
    assert "Anna Jensen beder om et skift til Mobil 50 GB" == mails[danish.email].subject
    assert AuditEvent.objects.unscoped().filter(action="employee.request_made", actor_label="anna@alfa.dk").exists()
    # The page shows it waiting; asking again finds the same request.
    assert b"Waiting for an admin" in client.get(f"/employee/{anna.pk}/").content
    _ask_upgrade(client, anna, products[1])
    assert EmployeeRequest.objects.for_company(personas.company_a).count() == 1


def test_only_the_catalogues_allowed_changes_can_be_asked_for(employee_client, anna, products):
    from subscriptions.tests.factories import ProductFactory

    other = ProductFactory(code="fri-tale", name="Unlimited")
    response = _ask_upgrade(employee_client("anna@alfa.dk"), anna, other)
    assert response.status_code == 400
    assert not anna.employee_requests.exists()


def test_a_new_sim_needs_an_address(employee_client, anna):
    client = employee_client("anna@alfa.dk")
    assert client.post(f"/employee/{anna.pk}/ask/", {"kind": "sim"}).status_code == 400
    assert client.post(f"/employee/{anna.pk}/ask/", {"kind": "sim", "ship_to": "Vej 1, 2100 Kbh"}).status_code == 302
    assert anna.employee_requests.get().ship_to == "Vej 1, 2100 Kbh"


def test_the_admin_approves_an_upgrade_in_one_click(employee_client, login, anna, personas, products):
    _ask_upgrade(employee_client("anna@alfa.dk"), anna, products[1])
    req = anna.employee_requests.get()
    admin = login(personas.admin_a)
    page = admin.get(f"/employee-requests/{req.pk}/")
    assert page.status_code == 200 and b'data-testid="employee-request-approve"' in page.content
    assert req.status == "pending"  # opening the page changes nothing
    before = len(sent())
    response = admin.post(f"/employee-requests/{req.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    anna.refresh_from_db()
    req.refresh_from_db()
    assert anna.product == products[1]
    assert (req.status, req.decided_by) == ("approved", personas.admin_a)
    actions = set(AuditEvent.objects.unscoped().filter(company=personas.company_a).values_list("action", flat=True))
    assert {"subscription.product_changed", "employee.request_approved"} <= actions
    [told] = sent()[before:]
    assert told.to == ["anna@alfa.dk"]
    assert "approved" in told.subject and f"/employee/{anna.pk}/" in told.body
    # Answered once: a second click is refused, nothing changes.
    assert admin.post(f"/employee-requests/{req.pk}/", {"decision": "refuse"}).status_code == 400


def test_the_admin_refuses(login, anna, personas, products):
    req = EmployeeRequestFactory(subscription=anna, product=products[1], language="da")
    response = login(personas.admin_a).post(f"/employee-requests/{req.pk}/", {"decision": "refuse"})
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.product == products[0]
    [told] = sent()
    assert told.to == [anna.email] and "afvist" in told.subject


def test_an_approved_esim_runs_the_sim_action(login, anna, personas):
    req = EmployeeRequestFactory(subscription=anna, kind="esim", product=None)
    old_iccid = anna.iccid
    login(personas.admin_a).post(f"/employee-requests/{req.pk}/", {"decision": "approve"})
    anna.refresh_from_db()
    assert anna.sim_type == "esim" and anna.iccid != old_iccid
    assert SimOrder.objects.for_company(personas.company_a).get().kind == SimOrder.Kind.ESIM


def test_the_admins_list(login, anna, personas):
    EmployeeRequestFactory(subscription=anna)
    page = login(personas.admin_a).get("/employee-requests/")
    assert page.status_code == 200 and b"Anna Jensen" in page.content


def test_another_companys_request_is_404(login, personas):
    req = EmployeeRequestFactory(subscription__company=personas.company_b)
    client = login(personas.admin_a)
    assert client.get(f"/employee-requests/{req.pk}/").status_code == 404
    assert client.post(f"/employee-requests/{req.pk}/", {"decision": "approve"}).status_code == 404
    req.refresh_from_db()
    assert req.status == "pending"


def test_a_read_only_admin_cannot_decide(login, anna, personas):
    req = EmployeeRequestFactory(subscription=anna)
    assert login(personas.readonly_a).post(f"/employee-requests/{req.pk}/", {"decision": "approve"}).status_code == 403


def test_an_employee_reaches_no_admin_page(employee_client, anna, personas):
    """Walks every route of the portal (the shell's and each area's) as a signed-in employee, with ids of the
    employee's own company: every one sends them to the admins' sign-in, none answers a page."""
    client = employee_client("anna@alfa.dk")
    factories = url_kwarg_factories()
    from django.urls import reverse

    walked = 0
    for route in portal_routes():
        if getattr(route.callback, "public", False):
            continue
        kwargs = {k: factories[k](personas.company_a) for k in route.kwargs}
        url = reverse(route.name, kwargs=kwargs)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (302, 404), (route.name, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("account_login")), route.name
        walked += 1
    assert walked > 50
    # And the operator's admin site.
    assert client.get("/" + __import__("django.conf").conf.settings.ADMIN_URL).status_code == 302


def test_an_approver_is_needed(employee_client, anna, personas, products):
    Membership.objects.filter(company=personas.company_a).update(areas=["invoice"])
    response = _ask_upgrade(employee_client("anna@alfa.dk"), anna, products[1])
    assert response.status_code == 400
    assert b"Nobody at your company can approve this" in response.content


def test_the_emails_link_switches_a_group_admin_to_the_requests_company(login, personas, products):
    """admin_ab is an admin of Alfa and Beta: the link opens Beta's request even while Alfa is active."""
    from subscriptions.tests.factories import SubscriptionFactory

    sub = SubscriptionFactory(company=personas.company_b, product=products[0])
    req = EmployeeRequestFactory(subscription=sub)
    client = login(personas.admin_ab)
    session = client.session
    session["active_company_id"] = personas.company_a.pk
    session.save()
    url = f"/employee-requests/{req.pk}/"
    assert client.get(url).status_code == 404  # Alfa is active: Beta's request is not found there
    response = client.get(f"{url}?company={personas.company_b.pk}")
    assert response.status_code == 302 and response["Location"] == url
    assert client.get(url).status_code == 200
    # Only to a company one is an admin of: admin_a (Alfa only) is not switched to Beta.
    other = login(personas.admin_a)
    assert other.get(f"{url}?company={personas.company_b.pk}").status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "nonsense"},
        {"kind": "upgrade", "product": "x"},
        {"kind": "upgrade", "product": "999999"},
        {"kind": "esim", "message": "x" * 600},
        {"kind": ["sim", "esim"], "ship_to": "\x00"},
    ],
)
def test_bad_input_on_the_ask_form_is_a_form_error(employee_client, anna, data):
    assert employee_client("anna@alfa.dk").post(f"/employee/{anna.pk}/ask/", data).status_code == 400
    assert not anna.employee_requests.exists()


def test_an_approval_the_catalogue_no_longer_allows_is_refused_on_the_page(login, anna, personas, products):
    req = EmployeeRequestFactory(subscription=anna, product=products[1])
    products[0].allowed_changes.clear()
    response = login(personas.admin_a).post(f"/employee-requests/{req.pk}/", {"decision": "approve"})
    assert response.status_code == 400
    assert b"is not an allowed change" in response.content
    req.refresh_from_db()
    anna.refresh_from_db()
    assert req.status == "pending" and anna.product == products[0]


def test_a_bad_decision_is_a_form_error(login, anna, personas):
    req = EmployeeRequestFactory(subscription=anna)
    assert login(personas.admin_a).post(f"/employee-requests/{req.pk}/", {"decision": "maybe"}).status_code == 400


def test_the_admins_list_shows_the_waiting_requests_first(login, anna, bo, personas, django_assert_num_queries):
    from employees import selectors

    decided = EmployeeRequestFactory(subscription=anna, status="approved")
    waiting = EmployeeRequestFactory(subscription=bo)
    newer = EmployeeRequestFactory(subscription=anna, status="refused")
    with django_assert_num_queries(1):
        rows = list(selectors.company_requests(personas.company_a))
        assert [r.pk for r in rows] == [waiting.pk, newer.pk, decided.pk]
        assert {str(r.subscription) for r in rows}  # subscriptions joined, no query per row


def test_only_admins_who_can_decide_it_are_mailed(employee_client, anna, personas, products):
    """Not an admin of another cost centre (the mail names the employee and their message), not one with the
    Subscriptions area read-only: neither could open or decide the request."""
    anna.cost_centre = "Sales"
    anna.save()
    sales = MembershipFactory(company=personas.company_a, user__email="sales@alfa.dk", cost_centres=["Sales"]).user
    MembershipFactory(company=personas.company_a, user__email="it@alfa.dk", cost_centres=["IT"])
    MembershipFactory(
        company=personas.company_a,
        user__email="looks@alfa.dk",
        areas=["subscriptions"],
        read_only_areas=["subscriptions"],
    )
    before = len(sent())
    assert _ask_upgrade(employee_client("anna@alfa.dk"), anna, products[1]).status_code == 302
    mailed = {m.to[0] for m in sent()[before:]}
    assert sales.email in mailed and personas.admin_a.email in mailed
    assert "it@alfa.dk" not in mailed and "looks@alfa.dk" not in mailed
