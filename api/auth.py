"""Every API call: the key, the rate limit, then the same area policy as the portal's pages.

All of this runs before ninja reads the body, so a client without the grant gets 403 whatever it sends.
"""

import datetime
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from api import keys
from api.errors import ApiError
from api.models import APIClient
from audit.actor import Actor
from audit.client_ip import client_ip
from companies.models import Company
from companies.permissions import SAFE_METHODS, AreaPolicy

# last_used_at is written at most this often: a busy client does not cost a write per call.
LAST_USED_EVERY = datetime.timedelta(minutes=5)


def check_rate(client: APIClient) -> None:
    """A fixed window per client in the cache; 429 with Retry-After when the window is full."""
    limit = int(getattr(settings, "API_RATE_LIMIT", 600))
    window = int(getattr(settings, "API_RATE_WINDOW", 60))
    now = time.time()
    slot = int(now // window)
    key = f"api-rate:{client.pk}:{slot}"
    cache.add(key, 0, timeout=window + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 5)
        used = 1
    if used > limit:
        retry = max(1, int((slot + 1) * window - now) + 1)
        raise ApiError(
            429,
            f"Rate limit of {limit} requests per {window} seconds reached.",
            headers={"Retry-After": str(retry)},
        )


def _failure_key(request: HttpRequest) -> tuple[str, int]:
    window = int(getattr(settings, "API_RATE_WINDOW", 60))
    slot = int(time.time() // window)
    return f"api-auth-failed:{client_ip(request) or '-'}:{slot}", window


def _count_failure(request: HttpRequest) -> None:
    """Wrong keys from one address: 401 up to the limit, then 429 (a valid key from there still works)."""
    key, window = _failure_key(request)
    cache.add(key, 0, timeout=window + 5)
    try:
        failures = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window + 5)
        failures = 1
    if failures > int(getattr(settings, "API_FAILED_AUTH_LIMIT", 30)):
        raise ApiError(429, "Too many requests with a wrong API key.", headers={"Retry-After": str(window)})


def _refuse_nul(request: HttpRequest) -> None:
    # PostgreSQL's text columns cannot hold NUL, so a NUL anywhere would end as a 500 there.
    fields = [name for name, values in request.GET.lists() if any("\x00" in v for v in [name, *values])]
    if request.content_type == "multipart/form-data":
        # File uploads: the files' bytes may hold NUL (a PDF does), their names and the fields may not.
        names = [(name, [f.name or "" for f in files]) for name, files in request.FILES.lists()]
        texts = [*names, *request.POST.lists()]
        fields += [name for name, values in texts if any("\x00" in v for v in [name, *values])]
    elif b"\x00" in request.body or b"\\u0000" in request.body:
        fields.append("body")
    if fields:
        raise ApiError(
            422,
            "NUL characters are not allowed.",
            errors=[{"field": name.replace("\x00", ""), "message": "contains a NUL character"} for name in fields],
        )


def _every_company() -> QuerySet[APIClient]:
    # Across companies on purpose: the key names its client and so its company (said out loud: unscoped()).
    return APIClient.objects.unscoped()


class APIKey(HttpBearer):
    """Bearer ``sskey_…`` for one area; writes (not GET/HEAD/OPTIONS) also need full access."""

    openapi_scheme = "bearer"

    def __init__(self, area: str) -> None:
        self.area = area
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> APIClient | None:
        client = self._client(request, token)
        if client is None:
            _count_failure(request)
            return None
        return client

    def _client(self, request: HttpRequest, token: str) -> APIClient | None:
        parsed = keys.parse(token)
        if parsed is None:
            return None
        prefix, secret = parsed
        # Across companies on purpose: the key names its company.
        client = (
            _every_company()
            .filter(key_prefix=prefix, revoked_at__isnull=True)
            .select_related("company", "user")
            .first()
        )
        if client is None or not keys.matches(secret, client.secret_hash):
            return None
        check_rate(client)
        policy = AreaPolicy(client)
        if not policy.can_view(self.area):
            raise ApiError(403, f"This API client has no access to the area '{self.area}'.", code="no_grant")
        if request.method not in SAFE_METHODS and not policy.can_change(self.area):
            raise ApiError(403, "This API client has read-only access.", code="read_only")
        _refuse_nul(request)
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at > LAST_USED_EVERY:
            APIClient.objects.for_company(client.company).filter(pk=client.pk).update(last_used_at=now)
        return client


def client_of(request: HttpRequest) -> APIClient:
    return request.auth  # type: ignore[attr-defined]


def company_of(request: HttpRequest) -> Company:
    return client_of(request).company


def actor_of(request: HttpRequest) -> Actor:
    client = client_of(request)
    return Actor(user=client.user, ip_address=client_ip(request), label=f"API client {client.name}")
