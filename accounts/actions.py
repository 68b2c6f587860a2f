from django.db import transaction

from accounts.models import User
from audit.actor import Actor
from audit.events import record


@transaction.atomic
def change_language(user: User, *, language: str, by: Actor) -> None:
    previous = user.language
    if previous == language:
        return
    user.language = language
    user.save(update_fields=["language"])
    record("account.language_changed", by=by, company=None, target=user,
           details={"from": previous, "to": language})


@transaction.atomic
def update_profile(user: User, *, first_name: str, last_name: str, language: str, by: Actor) -> None:
    changed = {
        field: value
        for field, value in {"first_name": first_name, "last_name": last_name, "language": language}.items()
        if getattr(user, field) != value
    }
    if not changed:
        return
    for field, value in changed.items():
        setattr(user, field, value)
    user.save(update_fields=list(changed))
    record("account.profile_changed", by=by, company=None, target=user, details={"fields": sorted(changed)})
