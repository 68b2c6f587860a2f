import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
ZERO_TOUCH_ENV = {
    f"ZERO_TOUCH_{name}": "set"
    for name in (
        "APPLE_SOLD_TO",
        "APPLE_SHIP_TO",
        "APPLE_CERT_FILE",
        "APPLE_KEY_FILE",
        "KNOX_CLIENT_ID",
        "KNOX_CLIENT_SECRET",
        "KNOX_RESELLER_ID",
        "ANDROID_PARTNER_ID",
        "ANDROID_SERVICE_ACCOUNT_FILE",
    )
}


def test_check_deploy_passes_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set for browser tests
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-1234567890",
        "DJANGO_ALLOWED_HOSTS": "selvbetjening.example",
        "EMAIL_HOST": "smtp.example",
        "FIELD_ENCRYPTION_KEYS": "pYxLw0Q7o7v6xqzHkqjJm8qAq3o5T0Gm6cXq6cS2Y0E=",
        # The zero-touch providers' credentials (without them products.W001 warns that devices wait).
        **ZERO_TOUCH_ENV,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_without_explicit_encryption_keys():
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "FIELD_ENCRYPTION_KEYS")},
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-1234567890",
        "DJANGO_ALLOWED_HOSTS": "selvbetjening.example",
        "EMAIL_HOST": "smtp.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "subscriptions.E001" in result.stderr and "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_a_malformed_boolean_setting_is_refused():
    env = {**os.environ, "DJANGO_DEBUG": "ture"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be a boolean" in result.stderr


def test_pages_carry_a_nonce_csp_and_security_headers(client):
    response = client.get(reverse("account_login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    scripts = re.findall(rb"<script[^>]*>", response.content)
    assert scripts
    assert all(f'nonce="{nonce}"'.encode() in tag for tag in scripts)


def test_no_template_has_an_inline_script_or_style():
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=\"", text) or "<style" in text:
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def test_sqlite_writers_wait_for_the_lock_instead_of_failing():
    # "database is locked" 500s while the worker writes: writers take the lock at BEGIN and wait for it.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    code = (
        "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS']; "
        "print(o['transaction_mode'], o['timeout'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.split()[-2:] == ["IMMEDIATE", "20"], result.stdout + result.stderr
