import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_it_signs_in_with_email_and_password_and_lands_on_the_overview(client, personas, password):
    response = _login(client, "admin-a@alfa.dk", password)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:overview")
    overview = client.get(reverse("portal:overview"))
    assert b"Alfa ApS" in overview.content
    assert AuditEvent.all_companies.filter(action="account.login", actor=personas.admin_a).exists()


def test_it_refuses_a_wrong_password_with_a_message(client, personas):
    response = _login(client, "admin-a@alfa.dk", "wrong-password")
    assert response.status_code == 200
    assert b"not correct" in response.content
    assert "_auth_user_id" not in client.session


def test_it_throttles_repeated_failed_logins(client, personas, password):
    for _ in range(5):
        _login(client, "admin-a@alfa.dk", "wrong-password")
    # Even the right password is refused while the account is throttled.
    response = _login(client, "admin-a@alfa.dk", password)
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in response.content


def test_it_signs_out_on_post(login, personas):
    client = login(personas.admin_a)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("portal:overview")).status_code == 302


def test_it_sends_a_password_reset_email(client, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        response = client.post(reverse("account_reset_password"), {"email": "admin-a@alfa.dk"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["admin-a@alfa.dk"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_it_has_no_self_signup(client, db):
    response = client.get(reverse("account_signup"))
    assert b"Sign Up Closed" in response.content or response.status_code in (302, 403, 404)


def test_it_expires_sessions(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_it_records_failed_sign_ins_without_the_password(client, personas):
    _login(client, "admin-a@alfa.dk", "wrong-password")
    event = AuditEvent.all_companies.get(action="account.login_failed")
    assert event.actor_label == "admin-a@alfa.dk"
    assert "wrong-password" not in str(event.details)


def test_throttling_keys_on_the_real_client_behind_the_proxy(client, personas, password, settings):
    # Behind one proxy every request comes from its address; one client's failures must not lock out others.
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip,5/300s/key"}
    for n in range(3):
        client.post(
            reverse("account_login"),
            {"login": f"nobody{n}@alfa.dk", "password": "x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )
    response = client.post(
        reverse("account_login"),
        {"login": "admin-a@alfa.dk", "password": password},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert response.status_code == 302
    # The attacker's own address is throttled, whatever it puts in front of the proxy's entry.
    client.post(reverse("account_logout"))
    response = client.post(
        reverse("account_login"),
        {"login": "admin-ab@alfa.dk", "password": password},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.66",
    )
    assert "_auth_user_id" not in client.session


def test_throttling_is_per_account_too(client, personas, password):
    for n in range(5):
        client.post(
            reverse("account_login"), {"login": "admin-a@alfa.dk", "password": "wrong"}, REMOTE_ADDR=f"198.51.100.{n}"
        )
    response = client.post(
        reverse("account_login"), {"login": "admin-a@alfa.dk", "password": password}, REMOTE_ADDR="198.51.100.200"
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_a_password_reset_for_an_unknown_address_sends_nothing(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@alfa.dk"})
    assert response.status_code == 302
    assert mail.outbox == []
