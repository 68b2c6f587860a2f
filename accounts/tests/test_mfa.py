import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_sends_admins_of_a_company_that_requires_mfa_to_set_it_up(login, personas):
    personas.company_a.require_mfa = True
    personas.company_a.save()
    response = login(personas.admin_a).get(reverse("portal:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_it_lets_them_in_once_they_have_a_second_factor(login, personas):
    personas.company_a.require_mfa = True
    personas.company_a.save()
    Authenticator.objects.create(user=personas.admin_a, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert login(personas.admin_a).get(reverse("portal:overview")).status_code == 200


def test_it_does_not_ask_admins_of_other_companies(login, personas):
    personas.company_a.require_mfa = True
    personas.company_a.save()
    assert login(personas.outsider).get(reverse("portal:overview")).status_code == 200


def test_the_mfa_setup_page_itself_stays_reachable(login, personas):
    personas.company_a.require_mfa = True
    personas.company_a.save()
    response = login(personas.admin_a).get(reverse("mfa_activate_totp"), follow=True)
    assert response.status_code == 200
    # allauth asks for the password again before a second factor is added.
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))


def test_it_passes_the_page_on_as_one_encoded_next_parameter(login, personas):
    from urllib.parse import parse_qs, urlsplit

    personas.company_a.require_mfa = True
    personas.company_a.save()
    response = login(personas.admin_a).get("/tickets/%26next%3D%2F%2Fevil.example/")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query == {"next": ["/tickets/&next=//evil.example/"]}
