"""Outgoing requests to a company's identity provider, which a customer's admin names: never inside our network.

The discovery document, token, userinfo and JWKS of an OpenID Connect IdP, and a SAML IdP's metadata, are fetched
by the server from URLs an admin typed in (server-side request forgery). As for webhooks (``api.webhooks``):
https only, no user or password in the URL, and every address the name resolves to must be public.
``SSO_ALLOW_LOCAL`` (development and tests, like ``WEBHOOK_ALLOW_LOCAL``) also allows http and https to 127.0.0.1.
Every request and every redirect is checked (``SafeSession``), at saving and again at each sign-in. The address
a connection actually reaches is checked too, after the connect and before a byte is sent: a name that resolves
to a public address for the check and to a private one for the connection (DNS rebinding) is refused there.
"""

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
TIMEOUT_SECONDS = 10


class UnsafeUrl(ValueError):
    """The URL may not be fetched; the message is translated, for the admin to read."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _local_allowed(host: str | None) -> bool:
    """127.0.0.1 and localhost, by those names, where SSO_ALLOW_LOCAL allows them (development, tests)."""
    return bool(getattr(settings, "SSO_ALLOW_LOCAL", False)) and host in LOCAL_HOSTS


def check_url(url: str) -> None:
    """UnsafeUrl unless ``url`` is https (or local http where allowed) and resolves to public addresses only."""
    parts = urlsplit(url.strip())
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise UnsafeUrl(_("This is not a valid URL.")) from None
    local = _local_allowed(host)
    if parts.scheme != "https" and not (local and parts.scheme == "http"):
        raise UnsafeUrl(_("The URL must start with https://."))
    if not host or parts.username is not None or parts.password is not None:
        raise UnsafeUrl(_("The URL must name a host, without a user name or password."))
    try:
        infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeUrl(_("The host %(host)s cannot be found.") % {"host": host}) from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses or not (local or all(_is_public(a) for a in addresses)):
        raise UnsafeUrl(_("The URL must not point to a private, loopback or reserved address."))


def _check_peer(sock: socket.socket, host: str) -> None:
    """The address this connection reached, whatever the name resolved to at ``check_url``."""
    address = str(sock.getpeername()[0])
    if not (_local_allowed(host) or _is_public(address)):
        sock.close()
        raise UnsafeUrl(_("The URL must not point to a private, loopback or reserved address."))


class _CheckedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _check_peer(sock, self.host)
        return sock


class _CheckedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:  # before TLS: nothing is sent to a refused address
        sock = super()._new_conn()
        _check_peer(sock, self.host)
        return sock


class _CheckedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    """Direct connections check their peer (through a configured proxy, the proxy connects; check_url still runs)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}


class SafeSession(requests.Session):
    """A requests session that checks every URL it connects to, redirects included, and the address each connection
    reaches, and gives up after a timeout."""

    def __init__(self) -> None:
        super().__init__()
        self.mount("https://", _CheckedAdapter())
        self.mount("http://", _CheckedAdapter())

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        check_url(str(request.url))
        kwargs["timeout"] = kwargs.get("timeout") or TIMEOUT_SECONDS
        return super().send(request, **kwargs)


def get(url: str) -> requests.Response:
    """GET through a ``SafeSession``; UnsafeUrl or requests' errors (HTTP errors included) otherwise."""
    with SafeSession() as session:
        response = session.get(url, timeout=TIMEOUT_SECONDS)
    response.raise_for_status()
    return response
