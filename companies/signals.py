"""Tell the active-company middleware that a user's grants changed.

Every change to a membership (created, access or areas changed, deleted — also by a queryset delete or a
company's cascade) and every change to a company bumps ``User.access_version`` of the users concerned, in
the same transaction. The middleware compares it with the version it cached in the session and reloads.
Code that changes memberships or companies with ``QuerySet.update()`` (which sends no signal) must call
``bump_access_version`` itself.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from companies.models import Company, Membership


def bump_access_version(*, user_ids: Any) -> None:
    """Invalidate the cached memberships of these users (a list of ids or a queryset of ids)."""
    get_user_model().objects.filter(pk__in=user_ids).update(access_version=F("access_version") + 1)


def _membership_changed(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    bump_access_version(user_ids=[instance.user_id])


def _company_changed(sender: type[Company], instance: Company, created: bool = False, **kwargs: Any) -> None:
    if not created:
        bump_access_version(user_ids=Membership.objects.filter(company_id=instance.pk).values("user_id"))


post_save.connect(_membership_changed, sender=Membership, dispatch_uid="companies.membership_saved")
post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="companies.membership_deleted")
post_save.connect(_company_changed, sender=Company, dispatch_uid="companies.company_saved")
