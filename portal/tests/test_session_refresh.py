"""A signed-in session stays alive while the admin works, without a session write on every page."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from portal.middleware import SlidingSessionMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    now = [1_800_000_000.0]
    monkeypatch.setattr(SlidingSessionMiddleware, "clock", staticmethod(lambda: now[0]))
    return now


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_the_expiry_moves_forward_once_a_minute_not_on_every_page(personas, login, clock, settings):
    settings.SESSION_REFRESH_INTERVAL = 60
    client = login(personas.admin_a)
    client.get(reverse("portal:overview"))
    first = expiry(client)
    clock[0] += 30
    assert client.get(reverse("subscriptions:index")).status_code == 200
    assert expiry(client) == first  # not written again within the minute
    clock[0] += 31
    assert client.get(reverse("subscriptions:index")).status_code == 200
    assert expiry(client) > first  # a minute on: the idle timeout starts again from now


def test_an_admin_who_keeps_working_stays_signed_in_past_the_session_age(personas, login, clock, settings):
    settings.SESSION_REFRESH_INTERVAL = 60
    client = login(personas.admin_a)
    client.get(reverse("portal:overview"))
    session = Session.objects.get(session_key=client.session.session_key)
    # Each page a minute or more after the last write pushes the database's expiry past the old one.
    for _ in range(3):
        clock[0] += 61
        before = expiry(client)
        assert client.get(reverse("portal:overview")).status_code == 200
        assert expiry(client) > before
    assert Session.objects.filter(pk=session.pk).exists()


def test_a_visitor_without_a_session_gets_none_written(client, clock):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert not Session.objects.exists()
