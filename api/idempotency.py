"""``Idempotency-Key`` on POST: the same key within 24 hours returns the first response.

The response is stored in the write's own transaction, so either both the write and its stored
response exist or neither does; a retry after a lost connection finds it. Two requests racing with
one key meet the unique constraint: the loser's write is rolled back and it answers 409.
"""

import datetime
import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from api.errors import ApiError
from api.models import APIClient, IdempotentResponse

KEEP = datetime.timedelta(hours=24)
HEADER = "Idempotency-Key"


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.body):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _replay(stored: IdempotentResponse, fingerprint: str) -> HttpResponse:
    if stored.fingerprint != fingerprint:
        raise ApiError(
            422,
            f"This {HEADER} was used for another request; use a new key for a new request.",
            code="idempotency_key_reused",
        )
    response = JsonResponse(stored.body, status=stored.status_code, safe=False)
    if stored.location:
        response["Location"] = stored.location
    response["Idempotent-Replayed"] = "true"
    return response


def _key(request: HttpRequest) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
        raise ApiError(
            422,
            f"{HEADER} must be 1 to 255 printable ASCII characters.",
            errors=[{"field": HEADER, "message": "invalid"}],
        )
    return key


def idempotent(
    request: HttpRequest, client: APIClient, write: Callable[[], HttpResponse], *, redact: tuple[str, ...] = ()
) -> HttpResponse:
    """Runs ``write`` (which makes the response) at most once per key; a failed write stores nothing.

    ``redact``: attributes of the answer never stored (a secret shown once); a replay answers without them."""
    key = _key(request)
    if key is None:
        with transaction.atomic():
            return write()
    fingerprint = _fingerprint(request)
    cutoff = timezone.now() - KEEP
    stored = IdempotentResponse.objects.filter(client=client, key=key, created_at__gte=cutoff).first()
    if stored is not None:
        return _replay(stored, fingerprint)
    try:
        with transaction.atomic():
            # Expired responses go with the client's next keyed write: the table holds at most a day of keys.
            IdempotentResponse.objects.filter(client=client, created_at__lt=cutoff).delete()
            response = write()
            if response.status_code >= 300:
                transaction.set_rollback(True)
                return response
            IdempotentResponse.objects.create(
                client=client,
                key=key,
                fingerprint=fingerprint,
                status_code=response.status_code,
                body={k: v for k, v in json.loads(response.content).items() if k not in redact}
                if redact
                else json.loads(response.content),
                location=response.get("Location", ""),
            )
            return response
    except IntegrityError:
        stored = IdempotentResponse.objects.filter(client=client, key=key).first()
        if stored is None:
            raise ApiError(409, f"A request with this {HEADER} is still being processed.", code="in_progress") from None
        return _replay(stored, fingerprint)
