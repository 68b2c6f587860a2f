"""What every TMF resource shares: hrefs, Money, lists (offset/limit, sort, fields=) and their headers."""

import base64
import binascii
import datetime
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import HttpRequest, JsonResponse

from api.errors import ApiError

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
CURRENCY = "DKK"


def money(ore: int) -> dict[str, Any]:
    # Money.value is a JSON number in kroner; øre / 100 is exact to two decimals.
    return {"unit": CURRENCY, "value": round(ore / 100, 2)}


def iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def href(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def ordering(sort: str | None, sorts: Mapping[str, tuple[str, ...]], default: str) -> tuple[str, ...]:
    """The order for ``sort=``; always ends in the primary key, so pages never overlap or skip."""
    name = (sort or default).strip()
    if name not in sorts:
        raise ApiError(
            422,
            f"sort must be one of: {', '.join(sorts)}.",
            errors=[{"field": "sort", "message": f"unknown sort {name!r}"}],
        )
    return sorts[name]


def projection(fields: str | None, allowed: Iterable[str]) -> set[str] | None:
    """The top-level attributes ``fields=`` asks for (id, href and @type always come along)."""
    if not fields:
        return None
    wanted = {f.strip() for f in fields.split(",") if f.strip()}
    unknown = wanted - set(allowed)
    if unknown:
        raise ApiError(
            422,
            f"Unknown fields: {', '.join(sorted(unknown))}.",
            errors=[{"field": "fields", "message": f"unknown {name!r}"} for name in sorted(unknown)],
        )
    return wanted | {"id", "href", "@type"}


def project(body: dict[str, Any], wanted: set[str] | None) -> dict[str, Any]:
    if wanted is None:
        return body
    return {k: v for k, v in body.items() if k in wanted}


def list_response(
    request: HttpRequest,
    queryset: QuerySet[Any, Any],
    *,
    offset: int,
    limit: int,
    render: Callable[[Sequence[Any]], list[dict[str, Any]]],
    wanted: set[str] | None,
    total: int | None = None,
) -> JsonResponse:
    """One page: the count and the page's rows (models or values), then whatever ``render`` looks up per page.

    ``total``: the number of matches when the caller knows it without counting (maintained counters)."""
    if total is None:
        total = queryset.count()
    rows = list(queryset[offset : offset + limit]) if offset < total else []
    items = [project(item, wanted) for item in render(rows)]
    response = JsonResponse(items, safe=False)
    response["X-Total-Count"] = str(total)
    response["X-Result-Count"] = str(len(items))
    return response


# Keyset paging ("cursor"): the page after a row, found through the sort's index, never by skipping rows --------


def encode_cursor(sort: str, key: Sequence[Any]) -> str:
    """Opaque to clients: the sort and the last row's sort key (JSON, base64url)."""
    raw = json.dumps([sort, list(key)], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, key = json.loads(raw)
    except (ValueError, binascii.Error, TypeError):
        key, cursor_sort = None, None
    if cursor_sort != sort or not isinstance(key, list) or len(key) != size:
        raise ApiError(
            422,
            "The cursor is not valid for this list and sort; start again without it.",
            errors=[{"field": "cursor", "message": "not a cursor of this list and sort"}],
        )
    return key


def after(order: Sequence[str], key: Sequence[Any]) -> Q:
    """Rows after ``key`` in ``order`` (two fields, e.g. sort_name then id; ``-`` for descending).

    ``a >= k AND (a > k OR id > i)``: the first part bounds the index range, so the database starts reading
    at the key, whatever the depth."""
    (first, second), (k, i) = order, key
    desc = first.startswith("-")
    a, b = first.lstrip("-"), second.lstrip("-")
    start, beyond = ("lte", "lt") if desc else ("gte", "gt")
    return Q(**{f"{a}__{start}": k}) & (Q(**{f"{a}__{beyond}": k}) | Q(**{f"{b}__{beyond}": i}))


def keyset_response(
    request: HttpRequest,
    queryset: QuerySet[Any, Any],
    *,
    sort: str,
    order: Sequence[str],
    key_of: Callable[[Any], Sequence[Any]],
    cursor: str,
    limit: int,
    render: Callable[[Sequence[Any]], list[dict[str, Any]]],
    wanted: set[str] | None,
    total: int | None = None,
) -> JsonResponse:
    """One page after ``cursor`` (the first page when empty), with the next page's cursor in ``X-Next-Cursor``
    and ``Link: <…>; rel="next"`` (absent on the last page). Its cost does not grow with the depth."""
    if total is None:
        total = queryset.count()
    page = queryset
    if cursor:
        page = page.filter(after(order, decode_cursor(cursor, sort, len(order))))
    rows = list(page[: limit + 1])
    more, rows = len(rows) > limit, rows[:limit]
    items = [project(item, wanted) for item in render(rows)]
    response = JsonResponse(items, safe=False)
    response["X-Total-Count"] = str(total)
    response["X-Result-Count"] = str(len(items))
    if more:
        set_next(request, response, encode_cursor(sort, key_of(rows[-1])))
    return response


def set_next(request: HttpRequest, response: JsonResponse, next_cursor: str) -> None:
    params = [(k, v) for k, v in request.GET.items() if k not in ("cursor", "offset")]
    url = request.build_absolute_uri(f"{request.path}?{urlencode([*params, ('cursor', next_cursor)])}")
    response["X-Next-Cursor"] = next_cursor
    response["Link"] = f'<{url}>; rel="next"'


def created(body: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(body, status=201)
    response["Location"] = body["href"]
    return response
