"""axe-core over the usage pages (dashboard, tables, one line, scheduled reports), desktop and phone, both
languages: the portal-wide walk covers them too; this one runs in a minute."""

import pytest
from django.urls import reverse

from accounts.models import User
from portal.testing import browser_sign_in
from portal.tests.test_accessibility import (
    AXE,
    DESKTOP,
    demo,  # noqa: F401 (the demo data fixture)
    scan,
)
from usage.tests.factories import recipient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_usage_pages_pass_axe(browser, live_server, request, language):
    assert AXE.exists()
    admin, _staff, company = request.getfixturevalue("demo")
    admin.language = language
    admin.save()
    recipient(company, email="rapport@nordlys.dk")
    recipient(company, email="ny@nordlys.dk", confirmed=False)
    from subscriptions.models import Subscription

    line = Subscription.objects.filter(company=company).first()
    urls = [
        reverse("usage:dashboard"),
        reverse("usage:dashboard") + "?cost_centre=-",
        reverse("usage:users"),
        reverse("usage:roaming"),
        reverse("usage:line", args=[line.pk]),
        reverse("usage:reports"),
    ]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    browser_sign_in(page, live_server.url, User.objects.get(pk=admin.pk), company)
    found, _count = scan(page, live_server.url, urls, language)
    context.close()
    assert found == {}
