import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import totp_code

pytestmark = pytest.mark.django_db

ADMIN = f"/{settings.ADMIN_URL}"


def _password_step(client, user, password):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def test_the_admin_sign_in_page_sends_staff_to_the_portal_sign_in(client, db):
    response = client.get(reverse("admin:login"), {"next": f"{ADMIN}accounts/user/"})
    assert response.status_code == 302
    assert (
        response["Location"] == f"{reverse('account_login')}?next=%2F{ADMIN[1:].replace('/', '%2F')}accounts%2Fuser%2F"
    )


def test_the_admin_sign_in_form_never_signs_anyone_in(client, personas, password):
    for _ in range(20):
        client.post(reverse("admin:login"), {"username": personas.staff.email, "password": "wrong"})
    response = client.post(reverse("admin:login"), {"username": personas.staff.email, "password": password})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(ADMIN).status_code == 302


def test_an_anonymous_visit_to_the_admin_ends_on_the_portal_sign_in(client, db):
    response = client.get(ADMIN, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert response.status_code == 200


def test_a_signed_in_customer_gets_a_404_from_the_admin_sign_in(login, personas):
    assert login(personas.admin_a).get(reverse("admin:login")).status_code == 404


def test_staff_need_the_second_factor_before_the_admin_opens(client, personas, password):
    response = _password_step(client, personas.staff, password)
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert "_auth_user_id" not in client.session
    assert client.get(ADMIN).status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(personas.staff)})
    assert response.status_code == 302
    assert client.get(ADMIN).status_code == 200
    assert client.get(reverse("tickets:staff_queue")).status_code == 200


def test_staff_without_a_second_factor_are_sent_to_set_one_up(login, db):
    staff = User.objects.create_user("new-staff@operator.example", "x", is_staff=True, language="en")
    client = login(staff)
    for url in (ADMIN, reverse("tickets:staff_queue"), reverse("portal:overview")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_a_company_that_requires_two_factor_does_not_trap_the_company_switch(login, personas):
    personas.company_a.require_mfa = True
    personas.company_a.save()
    client = login(personas.admin_ab)
    assert client.get(reverse("portal:overview"))["Location"].startswith(reverse("mfa_activate_totp"))
    response = client.post(reverse("portal:switch_company"), {"company": personas.company_b.pk, "next": "/"})
    assert response.status_code == 302
    assert client.get(reverse("portal:overview")).status_code == 200


def test_removing_the_second_factor_sends_staff_back_to_set_it_up(login, personas):
    from allauth.mfa.models import Authenticator

    client = login(personas.staff)
    assert client.get(ADMIN).status_code == 200
    Authenticator.objects.filter(user=personas.staff).delete()
    session = client.session
    from accounts.middleware import MFA_SESSION_FLAG

    assert session.get(MFA_SESSION_FLAG) is True
    from allauth.mfa.signals import authenticator_removed
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.session = session
    request.user = personas.staff
    authenticator_removed.send(sender=Authenticator, request=request, user=personas.staff, authenticator=None)
    session.save()
    assert client.get(ADMIN)["Location"].startswith(reverse("mfa_activate_totp"))
