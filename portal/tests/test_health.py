import os
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = pytest.mark.django_db


def _database_down():
    return mock.patch.object(BaseDatabaseWrapper, "_cursor", side_effect=OperationalError("server closed"))


def test_it_answers_503_when_the_database_is_down(client):
    with _database_down():
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "OperationalError"}


def test_it_answers_503_with_a_session_cookie_when_the_database_is_down(login, personas):
    browser = login(personas.admin_a)  # a signed-in browser: the session is read from the database
    assert settings.SESSION_COOKIE_NAME in browser.cookies
    with _database_down():
        response = browser.get("/health/")
    assert response.status_code == 503


def test_it_answers_200_with_a_session_cookie(login, personas):
    response = login(personas.admin_a).get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_it_is_exempt_from_the_ssl_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/").status_code == 200  # plain HTTP, no X-Forwarded-Proto
    assert client.get("/accounts/login/").status_code == 301


def test_persistent_connections_are_checked_before_use():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DJANGO_SECURE": "true"}, "True"),
        ({"DJANGO_SECURE": "true", "DJANGO_SSL_REDIRECT": "false"}, "False"),
        ({"DJANGO_SECURE": "false", "DJANGO_SSL_REDIRECT": "true"}, "True"),
        ({"DJANGO_SECURE": "false"}, "False"),
    ],
)
def test_the_ssl_redirect_follows_django_secure_unless_set(env, expected):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_SECURE", "DJANGO_SSL"))}
    script = "import django; django.setup(); from django.conf import settings; print(settings.SECURE_SSL_REDIRECT)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**clean, "DJANGO_SETTINGS_MODULE": "selfservice.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == expected
