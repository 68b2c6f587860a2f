"""The Admins page: main admins only, another company's ids 404, forged grants refused with a message."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from companies.models import AccessRequest, Invitation, Membership
from companies.tests.factories import AccessRequestFactory, CompanyFactory, InvitationFactory, MembershipFactory
from portal.testing import portal_routes
from portal.tests.factories import URL_KWARGS, grant_data

pytestmark = pytest.mark.django_db

ADMIN_ROUTES = [r for r in portal_routes() if r.kwargs and r.name.startswith("portal:") and "staff" not in r.name]


@pytest.fixture
def main_a(personas):
    membership = Membership.objects.get(user=personas.admin_a, company=personas.company_a)
    membership.is_main_admin = True
    membership.areas = ["tickets", "subscriptions"]
    membership.save()
    return membership


def test_the_menu_and_the_page_are_for_main_admins_only(personas, login, main_a):
    page = login(personas.admin_a).get(reverse("portal:admins"))
    assert page.status_code == 200
    assert 'data-testid="admins-menu"' in page.text
    assert "readonly@alfa.dk" in page.text and "admin-b@beta.dk" not in page.text
    other = login(personas.readonly_a)
    assert other.get(reverse("portal:admins")).status_code == 403
    assert 'data-testid="admins-menu"' not in other.get(reverse("portal:overview")).text


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: r.name)
def test_a_main_admin_gets_404_for_another_companys_ids(route, personas, login, main_a):
    url = reverse(route.name, kwargs={k: URL_KWARGS[k](personas.company_b) for k in route.kwargs})
    client = login(personas.admin_a)
    assert client.get(url).status_code == 404
    assert client.post(url, grant_data(["tickets"], "full")).status_code == 404


def test_a_forged_post_granting_more_than_the_main_admin_holds_is_refused(personas, login, main_a):
    target = Membership.objects.get(user=personas.invoice_only_a)
    url = reverse("portal:admin_detail", kwargs={"membership_id": target.pk})
    response = login(personas.admin_a).post(url, grant_data(["invoice", "numbers"], "full"))
    assert response.status_code == 400
    assert "You can only grant areas you have yourself; you do not have Numbers." in response.text
    target.refresh_from_db()
    assert target.areas == ["invoice"]
    assert not AuditEvent.all_companies.filter(action="membership.changed").exists()


def test_a_forged_invitation_for_a_company_the_main_admin_does_not_manage_is_refused(personas, login, main_a):
    response = login(personas.admin_a).post(
        reverse("portal:admins_invite"),
        {
            "email": "x@beta.dk",
            "company": personas.company_b.pk,
            **grant_data(["tickets"], "full"),
            "language": "en",
        },
    )
    assert response.status_code == 400
    assert not Invitation.all_companies.exists()


def test_it_invites_from_the_page(personas, login, main_a):
    response = login(personas.admin_a).post(
        reverse("portal:admins_invite"),
        {
            "email": "ny@alfa.dk",
            "company": personas.company_a.pk,
            **grant_data(["tickets"], "read_only"),
            "language": "da",
        },
    )
    assert response.status_code == 302
    invitation = Invitation.all_companies.get()
    assert invitation.company == personas.company_a and invitation.areas == ["tickets"]


def test_it_warns_when_the_company_has_only_one_main_admin(personas, login, main_a):
    client = login(personas.admin_a)
    assert "Alfa ApS has only one main admin." in client.get(reverse("portal:admins")).text
    Membership.objects.filter(user=personas.admin_ab, company=personas.company_a).update(is_main_admin=True)
    assert 'data-testid="lockout-warning"' not in client.get(reverse("portal:admins")).text


def test_removing_the_last_main_admin_is_refused_with_a_reason(personas, login, main_a):
    url = reverse("portal:admin_remove", kwargs={"membership_id": main_a.pk})
    response = login(personas.admin_a).post(url, follow=True)
    assert "would have no main admin left" in response.text
    assert Membership.objects.filter(pk=main_a.pk).exists()


def test_the_admin_page_explains_what_they_can_do_and_why(personas, login, main_a):
    target = Membership.objects.get(user=personas.invoice_only_a)
    client = login(personas.admin_a)
    client.post(
        reverse("portal:admin_detail", kwargs={"membership_id": target.pk}),
        grant_data(["invoice", "tickets"], "full"),
    )
    page = client.get(reverse("portal:admin_detail", kwargs={"membership_id": target.pk})).text
    assert "What invoice@alfa.dk can see and do, and why" in page
    assert "Support tickets: Can see and change" in page.replace("<strong>", "").replace("</strong>", "")
    assert "The current grant was given by admin-a@alfa.dk on" in page
    assert "Changed admin access (admin-a@alfa.dk)" in page


def test_one_click_approves_an_access_request(personas, login, main_a):
    asker = Membership.objects.get(user=personas.invoice_only_a)
    request = AccessRequestFactory(membership=asker, area="subscriptions")
    client = login(personas.admin_a)
    assert 'data-testid="access-request"' in client.get(reverse("portal:admins")).text
    client.post(reverse("portal:access_request_approve", kwargs={"access_request_id": request.pk}))
    asker.refresh_from_db()
    assert asker.has_area("subscriptions")
    assert AccessRequest.all_companies.get().status == "approved"


def test_an_admin_of_the_group_manages_the_subsidiary(personas, login, main_a):
    child = CompanyFactory(name="Alfa Datter ApS", parent=personas.company_a)
    admin = MembershipFactory(company=child, areas=["tickets"])
    InvitationFactory(company=child, email="pending@datter.dk")
    page = login(personas.admin_a).get(reverse("portal:admins")).text
    assert admin.user.email in page and "pending@datter.dk" in page and "Alfa Datter ApS" in page
    # The company switcher still offers only the main admin's own companies.
    assert f'name="company" value="{child.pk}"' not in page


def test_the_list_costs_the_same_queries_for_more_admins(personas, login, main_a, django_assert_max_num_queries):
    client = login(personas.admin_a)
    client.get(reverse("portal:admins"))
    for _ in range(5):
        AccessRequestFactory(membership=MembershipFactory(company=personas.company_a, areas=["tickets"]))
        InvitationFactory(company=personas.company_a)
    with django_assert_max_num_queries(14):
        client.get(reverse("portal:admins"))


def test_staff_appoint_a_main_admin_from_their_page(personas, login):
    staff = login(personas.staff)
    page = staff.get(reverse("portal:staff_main_admins"))
    assert page.status_code == 200 and "Alfa ApS" in page.text  # no main admin yet
    url = reverse("portal:staff_appoint", kwargs={"company_id": personas.company_a.pk})
    assert staff.post(url, {"email": "readonly@alfa.dk", "reason": ""}).status_code == 400
    response = staff.post(url, {"email": "readonly@alfa.dk", "reason": "Call 3 Dec"})
    assert response.status_code == 302
    assert Membership.objects.get(user=personas.readonly_a).is_main_admin
    assert AuditEvent.all_companies.get(action="membership.main_admin_appointed").details["reason"] == "Call 3 Dec"
    assert login(personas.admin_a).get(url).status_code == 404
    assert login(UserFactory()).get(url).status_code == 404


def test_the_pages_read_in_danish(personas, login, main_a):
    from accounts import admins
    from audit.actor import Actor
    from portal.tests.test_danish_pages import english_leftovers

    for user in (personas.admin_a, personas.staff):
        user.language = "da"
        user.save()
    target = Membership.objects.get(user=personas.invoice_only_a)
    AccessRequestFactory(membership=target, area="subscriptions")
    _invitation, token = admins.invite_admin(
        manager=main_a,
        company=personas.company_a,
        email="ny@alfa.dk",
        access="full",
        areas=["tickets"],
        language="da",
        by=Actor(user=personas.admin_a),
    )
    customer, staff = login(personas.admin_a), login(personas.staff)
    pages = {
        reverse("portal:admins"): customer,
        reverse("portal:admins_invite"): customer,
        reverse("portal:admin_detail", kwargs={"membership_id": target.pk}): customer,
        reverse("portal:staff_main_admins"): staff,
        reverse("portal:staff_appoint", kwargs={"company_id": personas.company_a.pk}): staff,
    }
    found = {}
    for url, client in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        if leftovers := english_leftovers(response.text):
            found[url] = leftovers
    anonymous = type(customer)(HTTP_ACCEPT_LANGUAGE="da")
    invitation_page = anonymous.get(reverse("invitation:accept", args=[token]))
    assert "Bliv administrator i Alfa ApS" in invitation_page.text
    if leftovers := english_leftovers(invitation_page.text):
        found["invitation"] = leftovers
    assert not found


def test_a_grant_takes_effect_on_the_admins_next_request(personas, login, main_a):
    """The memberships cached in the admin's session are reloaded after the change (User.access_version)."""
    target = Membership.objects.get(user=personas.invoice_only_a)
    their_client = login(personas.invoice_only_a)
    assert their_client.get(reverse("tickets:index")).status_code == 403
    login(personas.admin_a).post(
        reverse("portal:admin_detail", kwargs={"membership_id": target.pk}),
        grant_data(["invoice", "tickets"], "full"),
    )
    assert their_client.get(reverse("tickets:index")).status_code == 200
    login(personas.admin_a).post(reverse("portal:admin_remove", kwargs={"membership_id": target.pk}))
    assert their_client.get(reverse("invoice:index")).status_code == 403


HOSTILE = [
    {**grant_data(["tickets"], "owner"), "email": "ny@alfa.dk", "language": "da"},
    {**grant_data(["invoice"], "full"), "email": "ny@alfa.dk", "language": "da", "cost_centres": ["x" * 100]},
    {**grant_data(["tickets"], "full"), "email": "x" * 400 + "@alfa.dk", "company": "abc"},
    {"email": "ny@alfa.dk", "company": "999999999999999999999", "level_tickets": "full", "language": "xx"},
    {**grant_data(["tickets"]), "email": "ny@alfa.dk", "cost_centres": ["Nowhere"], "language": "da"},
]


@pytest.mark.parametrize("data", HOSTILE)
def test_a_hostile_invitation_is_refused_without_a_server_error(personas, login, main_a, data):
    assert login(personas.admin_a).post(reverse("portal:admins_invite"), data).status_code == 400
    assert not Invitation.all_companies.exists()


@pytest.mark.parametrize("data", HOSTILE[:2])
def test_a_hostile_change_is_refused_without_a_server_error(personas, login, main_a, data):
    target = Membership.objects.get(user=personas.invoice_only_a)
    url = reverse("portal:admin_detail", kwargs={"membership_id": target.pk})
    assert login(personas.admin_a).post(url, data).status_code == 400
    target.refresh_from_db()
    assert target.areas == ["invoice"]


def test_the_staff_menu_has_the_main_admins_page(personas, login):
    page = login(personas.staff).get(reverse("portal:staff_main_admins")).text
    assert f'href="{reverse("portal:staff_main_admins")}"' in page


def test_a_group_main_admin_manages_a_subsidiary_from_the_subsidiary_too(personas, login, main_a):
    from companies.middleware import SESSION_KEY

    child = CompanyFactory(name="Alfa Datter ApS", parent=personas.company_a)
    MembershipFactory(company=child, user=personas.admin_a, areas=["tickets"])  # not main admin there
    child_admin = MembershipFactory(company=child, areas=["tickets"])
    client = login(personas.admin_a)
    session = client.session
    session[SESSION_KEY] = child.pk
    session.save()
    page = client.get(reverse("portal:admins")).text
    assert 'data-testid="admins-menu"' in page
    assert child_admin.user.email in page and "readonly@alfa.dk" not in page  # the subsidiary's admins only
    # What they may grant is what the group's main-admin membership holds (tickets, subscriptions).
    url = reverse("portal:admin_detail", kwargs={"membership_id": child_admin.pk})
    assert client.post(url, grant_data(["tickets", "subscriptions"], "full")).status_code == 302
    assert client.post(url, grant_data(["invoice"], "full")).status_code == 400


def test_the_403_page_names_the_main_admins_who_can_give_access(personas, login, main_a):
    response = login(personas.invoice_only_a).get(reverse("subscriptions:index"))
    assert response.status_code == 403
    assert "main admins can give you access" in response.text and "admin-a@alfa.dk" in response.text


def test_an_expired_invitation_is_marked_and_can_be_sent_again(personas, login, main_a):
    from datetime import timedelta

    from django.utils import timezone

    invitation = InvitationFactory(company=personas.company_a, expires_at=timezone.now() - timedelta(days=1))
    client = login(personas.admin_a)
    assert "Link expired" in client.get(reverse("portal:admins")).text
    client.post(reverse("portal:invitation_resend", kwargs={"invitation_id": invitation.pk}))
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    assert "Link expired" not in client.get(reverse("portal:admins")).text
