import datetime
import hashlib
from collections.abc import Callable
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse

from companies.models import Company, Membership
from companies.permissions import apply_limits

SESSION_KEY = "active_company_id"
# The signed-in user's memberships (with their companies), as loaded the last time the user's
# access_version changed: {"user": id, "version": n, "schema": "...", "rows": [[membership], [company]], ...}.
CACHE_KEY = "companies.memberships"


def _fields(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


# A deploy that adds a field to Membership or Company must not read a cache written without it.
_SCHEMA = hashlib.sha256(
    ",".join(f.attname for model in (Membership, Company) for f in _fields(model)).encode()
).hexdigest()[:12]


def _dump(obj: models.Model) -> list[Any]:
    values = []
    for field in _fields(type(obj)):
        value = field.value_from_object(obj) if not field.is_relation else getattr(obj, field.attname)
        if isinstance(value, datetime.date | datetime.datetime):
            value = value.isoformat()
        values.append(value)
    return values


def _load(model: type[models.Model], values: list[Any]) -> models.Model:
    fields = _fields(model)
    python = [
        f.to_python(v) if v is not None and not isinstance(f, models.JSONField) else v
        for f, v in zip(fields, values, strict=True)
    ]
    return model.from_db("default", [f.attname for f in fields], python)


class ActiveMembershipMiddleware:
    """Gives every request the signed-in user's memberships and picks the active one.

    The memberships and their companies are kept in the session and reused while the user's
    ``access_version`` (on the user row the request loads anyway) is unchanged; any change to a
    membership or a company bumps it (``companies.signals``), so a membership that staff delete or a
    grant they change takes effect on the very next request. In the steady state this middleware
    costs no query; after a change, one (all memberships with their companies).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memberships = self.memberships(request, user)
            wanted = request.session.get(SESSION_KEY)
            active = next((m for m in memberships if m.company_id == wanted), None)
            if active is None and memberships:
                active = memberships[0]
                request.session[SESSION_KEY] = active.company_id
            for membership in memberships:
                apply_limits(membership)
            request.membership = active  # type: ignore[attr-defined]
            request.memberships = memberships  # type: ignore[attr-defined]
        return self.get_response(request)

    def memberships(self, request: HttpRequest, user: Any) -> list[Membership]:
        cached = request.session.get(CACHE_KEY)
        if (
            isinstance(cached, dict)
            and cached.get("user") == user.pk
            and cached.get("version") == user.access_version
            and cached.get("schema") == _SCHEMA
        ):
            try:
                memberships = [self._restore(row, user) for row in cached["rows"]]
            except (KeyError, TypeError, ValueError):
                memberships = None
            if memberships is not None:
                return memberships
        # The version is read before the rows: a change committed in between bumps it past what is cached.
        version = user.access_version
        memberships = list(Membership.objects.filter(user=user).select_related("company").order_by("company__name"))
        request.session[CACHE_KEY] = {
            "user": user.pk,
            "version": version,
            "schema": _SCHEMA,
            "rows": [[_dump(m), _dump(m.company)] for m in memberships],
        }
        return memberships

    @staticmethod
    def _restore(row: list[list[Any]], user: Any) -> Membership:
        membership_values, company_values = row
        membership = _load(Membership, membership_values)
        company = _load(Company, company_values)
        assert isinstance(membership, Membership) and isinstance(company, Company)
        membership.company = company
        membership.user = user
        return membership
