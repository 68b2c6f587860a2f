from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

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
    record("account.language_changed", by=by, company=None, target=user, details={"from": previous, "to": language})


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


def validate_login_email(email: str, *, user: User | None = None) -> str:
    """The address normalised (lower case), or a ValidationError a staff member can act on."""
    email = User.objects.normalize_email(email.strip()).lower()
    validate_email(email)
    others = User.objects.filter(email__iexact=email)
    if user is not None:
        others = others.exclude(pk=user.pk)
    if others.exists():
        raise ValidationError(
            _("Another user already signs in with %(email)s."), code="email_taken", params={"email": email}
        )
    return email


@transaction.atomic
def change_login_email(user: User, *, email: str, by: Actor) -> None:
    """Only the operator's staff change a login e-mail (customers cannot: /accounts/email/ is closed)."""
    email = validate_login_email(email, user=user)
    previous = user.email
    if previous == email:
        return
    user.email = email
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError:  # taken between the check and the save
        user.email = previous
        raise ValidationError(
            _("Another user already signs in with %(email)s."), code="email_taken", params={"email": email}
        ) from None
    # allauth's own record of the address follows, so password resets go to the new one.
    EmailAddress.objects.filter(user=user).delete()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    record("account.email_changed", by=by, company=None, target=user, details={"from": previous, "to": email})
