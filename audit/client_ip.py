"""The client's address, for the audit trail, the porting authorisation and login throttling.

``X-Forwarded-For`` is trusted only for as many hops as settings.TRUSTED_PROXY_COUNT says
(the proxies in front of the portal append the address they saw). With the default 0 the
header is ignored, since a client can send any value. A value that is not an IP address is
never returned: the column is an IP field, and PostgreSQL would refuse it (a 500).
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid_ip(value: str) -> str | None:
    value = value.strip()
    # "[2001:db8::1]:443" and "203.0.113.5:1234" from proxies that add the port.
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    remote = _valid_ip(str(request.META.get("REMOTE_ADDR") or ""))
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops <= 0:
        return remote
    forwarded = [part for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part.strip()]
    # Each trusted proxy appended one entry; the client is the one the outermost proxy saw.
    # Fewer entries than hops means a proxy was skipped: fall back to the connecting address.
    if len(forwarded) < hops:
        return remote
    return _valid_ip(forwarded[-hops]) or remote
