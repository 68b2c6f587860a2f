"""What every TMF resource shares: hrefs, Money, lists (offset/limit, sort, fields=) and their headers."""

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
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


def created(body: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(body, status=201)
    response["Location"] = body["href"]
    return response
