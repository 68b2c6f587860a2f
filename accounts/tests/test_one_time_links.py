"""The other one-time links we send survive mail scanners too: a GET never spends them."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_password_reset_link_still_works_after_a_mail_scanner_opened_it(
    client, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": personas.admin_a.email})
    link = re.search(r"https?://\S+/password/reset/key/\S+", mail.outbox[-1].body).group(0)
    path = "/" + link.split("/", 3)[3]
    scanner = type(client)()
    for _ in range(2):  # the scanner's GETs, in its own session
        scanner.get(path, follow=True)
    # allauth's GET only checks the key and moves it into the session; the key is spent on the password POST.
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"password1": "Ny-Adgangskode-2026!", "password2": "Ny-Adgangskode-2026!"})
    assert response.status_code == 302
    personas.admin_a.refresh_from_db()
    assert not personas.admin_a.check_password(PASSWORD)
