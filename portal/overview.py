"""The overview's area sections, kept until the company's data they show changes.

A section that names the models it reads (``OverviewSection.changes_with``) is rendered once per company,
user (their grants and unread marks differ) and language, and its HTML kept in this process (the
``template_fragments`` cache) under the company's **overview version**. The version lives in the shared
cache (Redis in production), so every process sees a change: any save or delete of one of those models, and
any audit event (every action writes one, also those that change rows with ``QuerySet.update()``; a bulk
action's ``audit.events.bulk_record`` says which companies), drops the
company's version at the write (a watched model without a company, a ticket's read mark, drops its user's), and the next visit renders the sections afresh (and keeps them only if the version did
not change while they were read). Kept HTML expires after ``MAX_AGE`` whatever the version says: that bounds a change
no signal sees (a raw SQL write) and a visit that falls between a change's last write and its commit.

A visit whose sections are all kept costs one cache read instead of their queries (2 per tickets section,
4 for numbers, 1 for invoices). A section whose HTML carries a CSRF token is never kept.
"""

import uuid
from functools import cache as memoise
from typing import Any

from django.apps import apps
from django.core.cache import cache, caches
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from registry.overview import OverviewSection, sections

VERSION_KEY = "portal.overview.version.{}"
USER_VERSION_KEY = "portal.overview.user.{}"  # for what belongs to one user, e.g. a ticket's read mark
MAX_AGE = 60


def _version(company_id: int, user_id: int) -> str:
    """The company's overview version and the user's (their read marks), created when missing."""
    keys = [VERSION_KEY.format(company_id), USER_VERSION_KEY.format(user_id)]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, timeout=None)
        found.update(cache.get_many(missing))
    return ":".join(str(found.get(key, "none")) for key in keys)


def company_changed(company_id: int | None) -> None:
    """The company's kept sections are out of date once this transaction commits."""
    if company_id is not None:
        # At the write, not on commit: an on-commit callback per write would be a side effect of every action
        # (tests count those). A visit between an action's last write (usually its audit event) and its commit
        # may keep the sections as they were; MAX_AGE bounds that.
        cache.delete(VERSION_KEY.format(company_id))


def section(request: HttpRequest, item: OverviewSection) -> dict[str, Any]:
    """What overview.html shows for one section: its context, or (``html``) its kept or fresh HTML."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    if not item.changes_with or membership is None or user is None or not user.is_authenticated:
        return {"template": item.template, **item.context(request)}
    fragments = caches["template_fragments"]
    # Read once per visit, not once per section: one cache round trip for the whole page.
    version = getattr(request, "_overview_version", None)
    if version is None:
        version = _version(membership.company_id, user.pk)
        request._overview_version = version  # type: ignore[attr-defined]
    key = ":".join(
        str(part)
        for part in (
            "overview",
            item.template,
            membership.company_id,
            version,
            user.pk,
            user.date_joined.timestamp(),
            user.access_version,
            get_language(),
        )
    )
    html = fragments.get(key)
    if html is None:
        context = {"template": item.template, **item.context(request)}
        html = render_to_string(item.template, {"section": context}, request)
        if "csrfmiddlewaretoken" in html:  # a form: its token is per request
            return context
        if _version(membership.company_id, user.pk) == version:  # not changed while it was read
            fragments.set(key, html, MAX_AGE)
        return {**context, "html": mark_safe(html)}  # rendered (escaped) by the template
    return {"template": item.template, "html": mark_safe(html)}  # kept: rendered (escaped) by the template


@memoise
def _watched() -> dict[str, None]:
    return dict.fromkeys(label for item in sections() for label in item.changes_with)


def _changed(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    label = sender._meta.label
    if label == "audit.AuditEvent" or label in _watched():
        company_id = getattr(instance, "company_id", None)
        if company_id is not None:
            company_changed(company_id)
        elif getattr(instance, "user_id", None) is not None:  # e.g. a ticket's read mark: that user's sections
            cache.delete(USER_VERSION_KEY.format(instance.user_id))  # type: ignore[attr-defined]


def _bulk_recorded(sender: type[models.Model], company_ids: set[int | None], **kwargs: Any) -> None:
    for company_id in company_ids:
        company_changed(company_id)


def connect() -> None:
    from audit.events import bulk_recorded

    post_save.connect(_changed, dispatch_uid="portal.overview.saved")
    post_delete.connect(_changed, dispatch_uid="portal.overview.deleted")
    bulk_recorded.connect(_bulk_recorded, dispatch_uid="portal.overview.bulk_recorded")
    _watched.cache_clear()


def watched_models() -> list[type[models.Model]]:
    return [apps.get_model(label) for label in _watched()]
