"""The invitation link opens a confirm page: GET never uses the token (mail scanners follow links), only the
POST from the page does; links expire after 7 days and a re-sent link replaces the old one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import admins
from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from audit.actor import Actor
from companies.models import Invitation, Membership
from companies.tests.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Hvid-Kanin-Springer-42"


@pytest.fixture
def invited():
    company = CompanyFactory(name="Gruppe A/S")
    main = MembershipFactory(company=company, is_main_admin=True, areas=["tickets", "invoice"])
    invitation, token = admins.invite_admin(
        manager=main, company=company, email="ny@gruppe.dk", access="full", areas=["invoice"], by=Actor(user=main.user)
    )
    return company, main, invitation, token


def _url(token):
    return reverse("invitation:accept", args=[token])


def test_a_get_shows_the_page_and_never_uses_the_link(client, invited):
    _company, _main, invitation, token = invited
    for _ in range(3):  # a mail scanner, a preview, the person
        response = client.get(_url(token))
        assert response.status_code == 200
        assert "Become an admin of Gruppe A/S" in response.text
        assert "Full access: Invoice" in response.text
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not User.objects.filter(email="ny@gruppe.dk").exists()


def test_the_post_sets_the_password_makes_the_admin_and_signs_them_in(client, invited):
    company, main, _invitation, token = invited
    response = client.post(_url(token), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal:overview")
    user = User.objects.get(email="ny@gruppe.dk")
    assert user.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(user=user, company=company)
    assert membership.areas == ["invoice"] and membership.granted_by == main.user
    assert client.get(reverse("invoice:index")).status_code == 200
    # Used: the link says so and does nothing more.
    assert client.get(_url(token)).status_code == 410


def test_a_weak_or_mismatched_password_is_refused_and_nothing_is_made(client, invited):
    _company, _main, _invitation, token = invited
    response = client.post(_url(token), {"password1": "123", "password2": "123"})
    assert response.status_code == 400
    response = client.post(_url(token), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert "The two passwords are not the same." in response.text
    assert not User.objects.filter(email="ny@gruppe.dk").exists()


def test_a_link_older_than_7_days_is_refused(client, invited):
    _company, _main, invitation, token = invited
    Invitation.all_companies.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(_url(token), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 410
    assert "This invitation has expired" in response.text
    assert not User.objects.filter(email="ny@gruppe.dk").exists()


def test_a_resent_link_replaces_the_old_one(client, invited):
    _company, main, invitation, token = invited
    Invitation.all_companies.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    new_token = admins.resend_invitation(manager=main, invitation=invitation, by=Actor(user=main.user))
    assert client.get(_url(token)).status_code == 404
    assert client.get(_url(new_token)).status_code == 200
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timedelta(days=6)


def test_a_company_that_requires_two_factor_takes_the_invitee_to_set_it_up(client, invited):
    company, _main, _invitation, token = invited
    company.require_mfa = True
    company.save()
    response = client.post(_url(token), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)
    # As after any sign-in, allauth asks for the password once more before an authenticator is added.
    assert [url for url, _status in response.redirect_chain if url.startswith(reverse("mfa_activate_totp"))]
    assert response.status_code == 200


def test_someone_who_already_has_a_login_accepts_without_a_new_password(client, invited):
    company, _main, _invitation, token = invited
    user = UserFactory(email="ny@gruppe.dk")
    response = client.post(_url(token), {})
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert Membership.objects.filter(user=user, company=company).exists()
    assert user.check_password(PASSWORD)
