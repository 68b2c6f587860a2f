"""Test personas from one base, shared by every app's tests.

admin_a: full access to all areas of company A
admin_ab: full access to A and B
readonly_a: read-only admin of A (all areas)
invoice_only_a: admin of A with only the Invoice area
outsider: admin of company B only
staff: operator staff
"""

import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from companies.models import Company, Membership
from companies.tests.factories import CompanyFactory, MembershipFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS}
    # A code typed at the very end of its 30 seconds still counts (browser tests sign staff in with TOTP).
    settings.MFA_TOTP_TOLERANCE = 1
    settings.FIELD_ENCRYPTION_KEYS = ["pYxLw0Q7o7v6xqzHkqjJm8qAq3o5T0Gm6cXq6cS2Y0E="]
    # Webhook tests run their receivers on http://127.0.0.1 (production allows only public https).
    settings.WEBHOOK_ALLOW_LOCAL = True
    # Zero-touch enrolment records devices locally; products/tests/test_zerotouch.py runs the real adapters
    # against fake vendor servers.
    settings.PRODUCTS_ZERO_TOUCH_ADAPTER = "products.zerotouch.FakeAdapter"
    # The SSO tests' OpenID Connect and SAML identity providers run on http://127.0.0.1 too.
    settings.SSO_ALLOW_LOCAL = True
    # Mail goes through the outbox as in production; its sender hands it to locmem (mail.outbox) on commit.
    settings.MAILERS = {
        "default": {"BACKEND": "outbox.backends.OutboxBackend"},
        "outbox_transport": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }
    from django.core.cache import cache
    from django.utils import translation

    from subscriptions import kept_list

    cache.clear()
    kept_list.forget()  # per process; a rolled-back test's versions start over with the next test's ids
    yield
    # A request as a Danish user leaves Danish active in the thread; the next test starts in English.
    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class Personas:
    company_a: Company
    company_b: Company
    admin_a: User
    admin_ab: User
    readonly_a: User
    invoice_only_a: User
    outsider: User
    staff: User


@pytest.fixture
def personas(db) -> Personas:
    company_a = CompanyFactory(name="Alfa ApS")
    company_b = CompanyFactory(name="Beta A/S")
    admin_a = MembershipFactory(company=company_a, user__email="admin-a@alfa.dk").user
    admin_ab = MembershipFactory(company=company_a, user__email="admin-ab@alfa.dk").user
    MembershipFactory(company=company_b, user=admin_ab)
    readonly_a = MembershipFactory(
        company=company_a, user__email="readonly@alfa.dk", access=Membership.Access.READ_ONLY
    ).user
    invoice_only_a = MembershipFactory(company=company_a, user__email="invoice@alfa.dk", areas=["invoice"]).user
    outsider = MembershipFactory(company=company_b, user__email="admin-b@beta.dk").user
    staff = UserFactory(email="staff@operator.example", is_staff=True, is_superuser=True)
    return Personas(company_a, company_b, admin_a, admin_ab, readonly_a, invoice_only_a, outsider, staff)


@pytest.fixture
def login() -> Callable[[User], Client]:
    """A client signed in as the given user (without going through the form)."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture
def password() -> str:
    return PASSWORD
