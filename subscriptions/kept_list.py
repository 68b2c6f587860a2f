"""The subscriptions list's body, kept in this process until the company's subscriptions change.

What is kept, per (company, list version, query string, language, the admin's cost-centre scope and level,
catalogue): the rendered rows, pagination, counts and bulk panel (the ``rows`` partial of ``list.html``)
and the filter's cost-centre choices. The list version (``ListVersion``) is bumped by database triggers in
the transaction of every insert, update and delete of a subscription, whatever path makes it (``save()``,
``QuerySet.update()``, ``bulk_create``, raw SQL), so the request after a write reads a new version and renders
afresh, in every process. It is read before the rows, so a render is never kept under a version newer than
what it read. A renamed type changes the catalogue key; a narrowed grant the scope; a language switch the
language. Nothing per user is kept: the CSRF token is outside the partial, and a bulk form that comes back
with ticked rows or errors is rendered afresh (only plain GETs are kept).

Kept in process memory (an LRU), not in Redis: the body holds the company's names, numbers and e-mails,
which then never leave the web process; a restart empties it. A kept body is also dropped after
``MAX_AGE`` seconds whatever the version says: that bounds what no trigger sees (a database restored or
flushed under running processes, where versions start over).
"""

import threading
import time
from collections import OrderedDict
from typing import Any

from django.db import connection
from django.utils.translation import get_language

from registry.scoping import cost_centre_limit

MAX_ENTRIES = 300  # ~40 kB each: ~12 MB per process at most
MAX_AGE = 300.0

_kept: "OrderedDict[tuple[Any, ...], tuple[float, str, list[str]]]" = OrderedDict()
_lock = threading.Lock()


def list_version(company_id: int) -> int:
    """The company's list version (0 before its first subscription write); one small primary-key read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM subscriptions_listversion WHERE company_id = %s", [company_id])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def key(company: Any, version: int, query_string: str, level: str | None, catalogue: str) -> tuple[Any, ...]:
    return (company.pk, version, query_string, get_language(), cost_centre_limit(company), level, catalogue)


def get(k: tuple[Any, ...]) -> tuple[str, list[str]] | None:
    with _lock:
        hit = _kept.get(k)
        if hit is None:
            return None
        if time.monotonic() - hit[0] > MAX_AGE:
            del _kept[k]
            return None
        _kept.move_to_end(k)
        return hit[1], hit[2]


def put(k: tuple[Any, ...], html: str, cost_centres: list[str]) -> None:
    with _lock:
        _kept[k] = (time.monotonic(), html, list(cost_centres))
        _kept.move_to_end(k)
        while len(_kept) > MAX_ENTRIES:
            _kept.popitem(last=False)


def forget() -> None:
    """Empties this process's kept bodies (tests)."""
    with _lock:
        _kept.clear()
