import pytest
from django.urls import reverse

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_it_stores_the_language_on_the_user_and_applies_it_everywhere(login, personas):
    client = login(personas.admin_a)
    response = client.post(reverse("accounts:set_language"), {"language": "da", "next": "/audit/"})
    assert response.status_code == 302
    assert response["Location"] == "/audit/"
    personas.admin_a.refresh_from_db()
    assert personas.admin_a.language == "da"
    page = client.get(reverse("portal:overview"))
    assert page["Content-Language"] == "da"
    assert b"Oversigt" in page.content
    assert AuditEvent.all_companies.filter(action="account.language_changed").exists()


def test_the_users_language_wins_over_the_browsers(login, personas):
    personas.admin_a.language = "da"
    personas.admin_a.save()
    page = login(personas.admin_a).get(reverse("portal:overview"), headers={"accept-language": "en"})
    assert b"Oversigt" in page.content


def test_anonymous_pages_follow_the_browser(client, db):
    danish = client.get(reverse("account_login"), headers={"accept-language": "da"})
    english = client.get(reverse("account_login"), headers={"accept-language": "en"})
    assert b"Log ind" in danish.content
    assert b"Sign in" in english.content


def test_it_ignores_an_unknown_language(login, personas):
    client = login(personas.admin_a)
    client.post(reverse("accounts:set_language"), {"language": "xx"})
    personas.admin_a.refresh_from_db()
    assert personas.admin_a.language == "en"


def test_it_does_not_redirect_to_another_site(login, personas):
    response = login(personas.admin_a).post(
        reverse("accounts:set_language"), {"language": "da", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_the_profile_form_validates_and_saves(login, personas):
    client = login(personas.admin_a)
    bad = client.post(reverse("accounts:profile"), {"first_name": "A", "last_name": "B", "language": "zz"})
    assert bad.status_code == 200
    assert b"Select a valid choice" in bad.content
    personas.admin_a.refresh_from_db()
    assert personas.admin_a.first_name != "A"
    good = client.post(reverse("accounts:profile"), {"first_name": "Åse", "last_name": "Ørum", "language": "en"})
    assert good.status_code == 302
    personas.admin_a.refresh_from_db()
    assert personas.admin_a.first_name == "Åse"


@pytest.mark.parametrize(
    ("account", "browser", "expected"),
    [("da", "en", "Du er logget ind som"), ("en", "da", "Successfully signed in as")],
)
def test_the_signed_in_message_is_in_the_accounts_language(client, personas, password, account, browser, expected):
    personas.admin_a.language = account
    personas.admin_a.save()
    response = client.post(
        reverse("account_login"),
        {"login": personas.admin_a.email, "password": password},
        headers={"accept-language": browser},
        follow=True,
    )
    assert expected in response.content.decode()
