import pytest
from django.test import RequestFactory
from django.urls import reverse

from audit.client_ip import client_ip
from audit.models import AuditEvent


def _request(remote="192.0.2.10", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_it_ignores_the_header_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(forwarded="203.0.113.9")) == "192.0.2.10"


def test_it_takes_the_address_the_trusted_proxy_saw_not_what_the_client_claims(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(forwarded="198.51.100.1, 203.0.113.9")) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(forwarded="198.51.100.1, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"


@pytest.mark.parametrize("forwarded", ["not-an-ip", "", " , ", "999.1.1.1", "<script>", "\x00"])
def test_a_value_that_is_not_an_ip_falls_back_to_the_connecting_address(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(forwarded=forwarded)) == "192.0.2.10"


def test_fewer_hops_than_configured_fall_back_to_the_connecting_address(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(forwarded="203.0.113.9")) == "192.0.2.10"


def test_it_accepts_ipv6_and_ports(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(forwarded="[2001:db8::1]:443")) == "2001:db8::1"
    assert client_ip(_request(forwarded="203.0.113.9:5123")) == "203.0.113.9"
    assert client_ip(_request(remote="garbage")) is None


@pytest.mark.django_db
def test_a_forged_header_never_fails_sign_in_and_is_not_stored(client, personas, password, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    response = client.post(
        reverse("account_login"),
        {"login": "admin-a@alfa.dk", "password": password},
        HTTP_X_FORWARDED_FOR="not-an-ip, 1.2.3.4",
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302
    assert AuditEvent.all_companies.get(action="account.login").ip_address == "192.0.2.10"
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(reverse("account_logout"), HTTP_X_FORWARDED_FOR="not-an-ip", REMOTE_ADDR="192.0.2.10")
    assert AuditEvent.all_companies.get(action="account.logout").ip_address == "192.0.2.10"


def test_the_audit_actor_and_sign_in_adapter_use_the_same_function():
    from accounts import adapters
    from audit import actor

    assert actor.client_ip is client_ip
    assert adapters.client_ip is client_ip
