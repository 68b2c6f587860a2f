"""Outgoing requests to a company's identity provider, which a customer's admin names: never inside our network.

The discovery document, token, userinfo and JWKS of an OpenID Connect IdP, and a SAML IdP's metadata, are fetched
by the server from URLs an admin typed in (server-side request forgery). As for webhooks (``api.webhooks``):
https only, no user or password in the URL, and every address the name resolves to must be public.
``SSO_ALLOW_LOCAL`` (development and tests, like ``WEBHOOK_ALLOW_LOCAL``) also allows http and https to 127.0.0.1.
Every request and every redirect is checked (``SafeSession``), at saving and again at each sign-in.
"""

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
TIMEOUT_SECONDS = 10


class UnsafeUrl(ValueError):
    """The URL may not be fetched; the message is translated, for the admin to read."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> None:
    """UnsafeUrl unless ``url`` is https (or local http where allowed) and resolves to public addresses only."""
    parts = urlsplit(url.strip())
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise UnsafeUrl(_("This is not a valid URL.")) from None
    local = bool(getattr(settings, "SSO_ALLOW_LOCAL", False)) and host in LOCAL_HOSTS
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


class SafeSession(requests.Session):
    """A requests session that checks every URL it connects to, redirects included, and gives up after a timeout."""

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
