"""Writes on API clients, by the company's admins in the portal. Each is atomic and audited."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from api import keys
from api.models import APIClient
from audit.actor import Actor
from audit.events import record
from companies.models import Company, Membership
from registry.areas import registry

# The machine users' addresses: a reserved domain, so nothing is ever mailed to them.
MACHINE_DOMAIN = "api-clients.invalid"


def _machine_user(*, name: str) -> User:
    # Inactive and without a password: it cannot sign in; the address says what it is in the activity log.
    label = slugify(name)[:40] or "client"
    return User.objects.create_user(
        email=f"api-{label}-{secrets.token_hex(4)}@{MACHINE_DOMAIN}",
        password=None,
        first_name=name[:150],
        is_active=False,
    )


@transaction.atomic
def create_client(*, company: Company, name: str, access: str, areas: list[str], by: Actor) -> tuple[APIClient, str]:
    """Creates a client; returns it with its key, which is shown once and never stored."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Enter a name for the API client."))
    if access not in Membership.Access.values:
        raise ValidationError(_("Choose an access level."))
    try:
        areas = registry.normalise(areas)
    except ValueError:
        raise ValidationError(_("Choose only areas that exist.")) from None
    key = keys.new_key()
    client = APIClient.objects.create(
        company=company,
        name=name,
        user=_machine_user(name=name),
        access=access,
        areas=areas,
        key_prefix=key.prefix,
        secret_hash=key.secret_hash,
        created_by=by.user,
    )
    record(
        "api_client.created",
        by=by,
        company=company,
        target=client,
        details={"access": access, "areas": areas, "prefix": key.prefix},
    )
    return client, key.token


@transaction.atomic
def rotate_secret(client: APIClient, *, by: Actor) -> str:
    """A new key (prefix and secret); the old one stops working at once."""
    client = APIClient.objects.for_company(client.company).select_for_update().get(pk=client.pk)
    if client.is_revoked:
        raise ValidationError(_("A revoked API client cannot get a new secret."))
    old_prefix = client.key_prefix
    key = keys.new_key()
    client.key_prefix, client.secret_hash, client.rotated_at = key.prefix, key.secret_hash, timezone.now()
    client.save(update_fields=["key_prefix", "secret_hash", "rotated_at"])
    record(
        "api_client.rotated",
        by=by,
        company=client.company,
        target=client,
        details={"old_prefix": old_prefix, "prefix": key.prefix},
    )
    return key.token


@transaction.atomic
def revoke_client(client: APIClient, *, by: Actor) -> APIClient:
    client = APIClient.objects.for_company(client.company).select_for_update().get(pk=client.pk)
    if client.is_revoked:
        return client
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    record("api_client.revoked", by=by, company=client.company, target=client, details={"prefix": client.key_prefix})
    return client
