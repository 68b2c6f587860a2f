"""PIN/PUK keys, rotation and reveal limits (docs/security.md)."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.checks import Error
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audit.models import AuditEvent
from subscriptions import crypto
from subscriptions.checks import check_encryption_keys
from subscriptions.models import Subscription
from subscriptions.tests.factories import SubscriptionFactory

OLD_KEY = "pYxLw0Q7o7v6xqzHkqjJm8qAq3o5T0Gm6cXq6cS2Y0E="  # conftest's
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def sub(personas, catalogue):
    return SubscriptionFactory(company=personas.company_a, product=catalogue["mobil-basis-5"])


def _reveal(client, sub, **extra):
    return client.post(reverse("subscriptions:reveal", kwargs={"subscription_id": sub.pk}), **extra)


def test_production_without_keys_fails_the_checks(settings):
    settings.DEBUG = False
    settings.FIELD_ENCRYPTION_KEYS = []
    assert [e.id for e in check_encryption_keys()] == ["subscriptions.E001"]
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("1234")
    settings.DEBUG = True
    assert check_encryption_keys() == []
    assert crypto.decrypt(crypto.encrypt("1234")) == "1234"


def test_a_malformed_key_fails_the_checks(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY, "not-a-key"]
    errors = check_encryption_keys()
    assert [e.id for e in errors] == ["subscriptions.E002"] and isinstance(errors[0], Error)
    assert "key 2" in errors[0].msg


@pytest.mark.django_db  # model checks ask the database for its features
def test_the_check_runs_with_manage_py_check(settings):
    settings.DEBUG = False
    settings.FIELD_ENCRYPTION_KEYS = []
    from django.core.management.base import SystemCheckError

    with pytest.raises(SystemCheckError, match="FIELD_ENCRYPTION_KEYS"):
        call_command("check", stdout=StringIO(), stderr=StringIO())


def test_generate_encryption_key_prints_a_usable_key():
    out = StringIO()
    call_command("generate_encryption_key", stdout=out)
    Fernet(out.getvalue().strip())


@pytest.mark.django_db
def test_rotation_re_encrypts_every_pin_and_puk_with_the_first_key(sub, settings):
    before = Subscription.all_companies.values_list("pin_encrypted", flat=True).get(pk=sub.pk)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "1 subscriptions" in out.getvalue()
    pin_token, _puk_token = Subscription.all_companies.values_list("pin_encrypted", "puk_encrypted").get(pk=sub.pk)
    assert pin_token != before
    # The old key can go now.
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert crypto.decrypt_strict(pin_token) == "1234"
    assert Subscription.all_companies.get(pk=sub.pk).puk == "87654321"


@pytest.mark.django_db
def test_rotation_reports_tokens_no_key_opens_and_leaves_them(sub, settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(
        CommandError, match=f"1 subscriptions have a PIN/PUK that no configured key decrypts \\(ids {sub.pk}"
    ):
        call_command("rotate_encryption_keys", stdout=StringIO())


@pytest.mark.django_db
def test_a_token_that_cannot_be_decrypted_shows_a_clear_error_not_a_blank(sub, login, personas, settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    response = _reveal(login(personas.admin_a), sub)
    assert response.status_code == 200
    assert b'data-testid="secrets-error"' in response.content
    assert b"cannot be decrypted" in response.content
    assert b'data-testid="pin"' not in response.content


@pytest.mark.django_db
def test_reveals_are_limited_per_admin_and_refusals_are_audited(sub, login, personas, settings):
    settings.SECRET_REVEAL_LIMIT = 3
    settings.SECRET_REVEAL_WINDOW = 3600
    client = login(personas.admin_a)
    for _ in range(3):
        assert b"87654321" in _reveal(client, sub).content
    response = _reveal(client, sub, HTTP_HX_REQUEST="true")
    assert b"87654321" not in response.content
    assert b"try again later" in response.content
    assert AuditEvent.all_companies.filter(action="subscription.secret_revealed").count() == 3
    assert (
        AuditEvent.all_companies.filter(action="subscription.secret_reveal_refused", actor=personas.admin_a).count()
        == 1
    )
    # Another admin has a limit of their own.
    assert b"87654321" in _reveal(login(personas.admin_ab), sub).content


@pytest.mark.django_db
def test_the_reveal_page_and_fragment_are_never_cached(sub, login, personas):
    client = login(personas.admin_a)
    assert _reveal(client, sub)["Cache-Control"] == "no-store, private"
    assert _reveal(client, sub, HTTP_HX_REQUEST="true")["Cache-Control"] == "no-store, private"
