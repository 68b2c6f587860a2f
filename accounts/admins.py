"""The customer runs its own admins: main admins invite, change and remove admins, granting only what they hold.

Every action validates on the server (a forged POST asking for more than the main admin holds is refused with
a ``ValidationError`` and nothing changes), writes one audit event and e-mails the person concerned through the
outbox, in their language. Saving or deleting a membership bumps ``User.access_version`` (companies.signals), so
the person's next request reloads their grants.
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from audit.actor import Actor
from audit.events import record
from companies import selectors
from companies.models import AccessRequest, Company, Invitation, Membership, normalise_cost_centres
from registry.areas import registry

INVITATION_DAYS = 7


# -- rules -----------------------------------------------------------------------------------------


def _manager(manager: Membership) -> Membership:
    """The main admin's membership as it is now (it may have been demoted since the page was loaded)."""
    fresh = Membership.objects.select_related("company", "user").filter(pk=manager.pk, is_main_admin=True).first()
    if fresh is None:
        raise ValidationError(_("Only a main admin can manage admins."), code="not_main_admin")
    return fresh


def _check_company(manager: Membership, company: Company) -> None:
    if company.pk not in {c.pk for c in selectors.managed_companies(manager)}:
        raise ValidationError(
            _("You do not manage the admins of %(company)s.") % {"company": company}, code="not_managed"
        )


def _area_titles(keys: Iterable[str]) -> str:
    return ", ".join(str(registry.get(k).title) for k in registry.normalise(keys))


class Grant:
    """What a grant says, normalised: the areas, those of them read-only, and the cost centres (empty: all)."""

    def __init__(self, areas: list[str], read_only_areas: list[str], cost_centres: list[str]) -> None:
        self.areas, self.read_only_areas, self.cost_centres = areas, read_only_areas, cost_centres

    @property
    def access(self) -> str:
        everything_read_only = bool(self.areas) and len(self.read_only_areas) == len(self.areas)
        return Membership.Access.READ_ONLY if everything_read_only else Membership.Access.FULL

    def as_details(self) -> dict[str, object]:
        return {
            "access": self.access,
            "areas": self.areas,
            "read_only_areas": self.read_only_areas,
            "cost_centres": self.cost_centres,
        }


def _held(current: Membership | None) -> tuple[set[str], set[str], list[str] | None]:
    """What the admin has now: areas, full areas, cost centres (None: no current grant)."""
    if current is None:
        return set(), set(), None
    return set(current.areas), {k for k in current.areas if current.can_change_area(k)}, list(current.cost_centres)


def _check_cost_centres(
    manager: Membership, wanted: list[str], cost_centres: Iterable[str] | None, kept_centres: list[str] | None
) -> list[str]:
    """The grant's cost centres normalised, or a refusal: outside the main admin's own limits, or a limited grant
    of an area that shows the whole company."""
    try:
        centres = list(kept_centres or []) if cost_centres is None else normalise_cost_centres(list(cost_centres))
    except ValueError:
        raise ValidationError(_("Choose cost centres from the list."), code="unknown_cost_centre") from None
    if any(len(c) > 40 for c in centres):
        raise ValidationError(_("Choose cost centres from the list."), code="unknown_cost_centre")
    if manager.cost_centres:
        allowed = set(manager.cost_centres) | set(kept_centres or [])
        keeps_unlimited = kept_centres is not None and not kept_centres
        if not centres and not keeps_unlimited:
            raise ValidationError(
                _(
                    "Your access is limited to the cost centres %(centres)s, so you can only grant access limited to them."
                )
                % {"centres": ", ".join(manager.cost_centres)},
                code="grant_exceeds_own",
            )
        outside = set(centres) - allowed
        if outside:
            raise ValidationError(
                _("You can only grant your own cost centres; you do not have %(centres)s.")
                % {"centres": ", ".join(sorted(outside))},
                code="grant_exceeds_own",
            )
    if centres:
        whole_company = [k for k in wanted if not registry.get(k).cost_centre_scoped]
        if whole_company:
            raise ValidationError(
                _(
                    "%(areas)s show the whole company, so they cannot be limited to cost centres: "
                    "take them away or grant the whole company."
                )
                % {"areas": _area_titles(whole_company)},
                code="area_not_cost_centre_scoped",
            )
    return centres


def check_grant(
    *,
    manager: Membership,
    areas: Iterable[str],
    access: str,
    read_only_areas: Iterable[str] | None = None,
    cost_centres: Iterable[str] | None = None,
    current: Membership | None = None,
) -> Grant:
    """The grant normalised, or a refusal when it goes beyond what the main admin holds: an area they do not
    have, full access to an area they have read-only, or cost centres outside their own limits.

    What the admin already has may stay (changing someone's other grants is not granting them more).
    ``access="read_only"`` makes every area read-only; else ``read_only_areas`` lists the read-only ones.
    ``cost_centres`` None keeps the current limits (none for a new grant).
    """
    try:
        wanted = registry.normalise(areas)
        read_only = [] if read_only_areas is None else registry.normalise(read_only_areas)
    except ValueError:
        raise ValidationError(_("Choose areas from the list."), code="unknown_area") from None
    if access not in Membership.Access.values:
        raise ValidationError(_("Choose full access or read only."), code="unknown_access")
    if access == Membership.Access.READ_ONLY:
        read_only = list(wanted)
    read_only = [k for k in wanted if k in set(read_only)]
    kept_areas, kept_full, kept_centres = _held(current)
    beyond = set(wanted) - set(manager.areas) - kept_areas
    if beyond:
        raise ValidationError(
            _("You can only grant areas you have yourself; you do not have %(areas)s.")
            % {"areas": _area_titles(beyond)},
            code="grant_exceeds_own",
        )
    full = set(wanted) - set(read_only)
    beyond_full = {k for k in full if not manager.can_change_area(k)} - kept_full
    if beyond_full:
        raise ValidationError(
            _("You have read-only access to %(areas)s, so you can only grant read-only access to it.")
            % {"areas": _area_titles(beyond_full)},
            code="grant_exceeds_own",
        )
    centres = _check_cost_centres(manager, wanted, cost_centres, kept_centres)
    return Grant(wanted, read_only, centres)


def _refuse_lockout(membership: Membership) -> None:
    """Refuses to take away the last main admin who can manage the membership's company."""
    others = selectors.main_admins_covering(membership.company).exclude(pk=membership.pk)
    if membership.is_main_admin and not others.exists():
        raise ValidationError(
            _(
                "%(company)s would have no main admin left, and nobody could manage its admins. "
                "Make another admin main admin first."
            )
            % {"company": membership.company},
            code="last_main_admin",
        )


# -- e-mail ----------------------------------------------------------------------------------------


def _link(url_name: str, *args: object) -> str:
    return settings.PORTAL_BASE_URL + reverse(url_name, args=args)


def _mail(*, to: str, language: str, subject: str, lines: list[str], url: str = "", **params: object) -> None:
    """Queues one plain-text e-mail in the outbox, written in ``language``: subject and lines are msgids (marked
    with ``gettext_noop``), translated here, then filled in with ``params``."""
    with translation.override(language):
        body = render_to_string(
            "accounts/email/admins_notice.txt",
            {"lines": [_(line) % params for line in lines], "url": url},
        )
        send_mail(_(subject) % params, body, settings.DEFAULT_FROM_EMAIL, [to])


def grant_text(grant: Membership | Invitation) -> str:
    """The grant in words, in the active language: "Subscriptions (full access), Invoices (read only)"."""
    parts = [f"{registry.get(key).title} ({Membership.Access(level).label})" for key, level in grant.levels().items()]
    return ", ".join(parts) or "—"


def limits_text(grant: Membership | Invitation) -> str:
    if not grant.cost_centres:
        return _("the whole company")
    return _("only the cost centres %(centres)s") % {"centres": ", ".join(grant.cost_centres)}


def _grant_lines() -> list[str]:
    return [gettext_noop("Areas: %(grant)s."), gettext_noop("Subscriptions and invoice lines: %(limits)s.")]


def _grant_summary(membership: Membership | Invitation, language: str) -> dict[str, object]:
    with translation.override(language):
        return {
            "company": membership.company.name,
            "grant": grant_text(membership),
            "limits": limits_text(membership),
        }


# -- invitations -----------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=INVITATION_DAYS)
    return token


def _send_invitation(invitation: Invitation, token: str) -> None:
    inviter = invitation.invited_by.get_full_name() or invitation.invited_by.email if invitation.invited_by else ""
    _mail(
        to=invitation.email,
        language=invitation.language,
        subject=gettext_noop("You are invited to be an admin of %(company)s"),
        lines=[
            gettext_noop("%(inviter)s invites you to the self-service portal as an admin of %(company)s."),
            *_grant_lines(),
            gettext_noop("Open the link to accept; you choose your password there. The link works for 7 days."),
            gettext_noop("If you did not expect this, ignore this e-mail: nothing happens until you accept."),
        ],
        url=_link("invitation:accept", token),
        inviter=inviter or _("The operator"),
        **_grant_summary(invitation, invitation.language),
    )


@transaction.atomic
def invite_admin(
    *,
    manager: Membership | None,
    company: Company,
    email: str,
    first_name: str = "",
    last_name: str = "",
    access: str,
    areas: Iterable[str],
    read_only_areas: Iterable[str] | None = None,
    cost_centres: Iterable[str] = (),
    is_main_admin: bool = False,
    language: str = "da",
    by: Actor,
) -> tuple[Invitation, str]:
    """Invites ``email`` to be an admin of ``company``; ``manager`` is None only for the operator's staff."""
    email = User.objects.normalize_email(email.strip()).lower()
    if manager is not None:
        manager = _manager(manager)
        _check_company(manager, company)
        grant = check_grant(
            manager=manager, areas=areas, access=access, read_only_areas=read_only_areas, cost_centres=cost_centres
        )
    else:
        wanted = registry.normalise(areas)
        read_only = wanted if access == Membership.Access.READ_ONLY else registry.normalise(read_only_areas or [])
        grant = Grant(wanted, [k for k in wanted if k in read_only], normalise_cost_centres(list(cost_centres)))
    if Membership.objects.filter(company=company, user__email__iexact=email).exists():
        raise ValidationError(
            _("%(email)s is already an admin of %(company)s.") % {"email": email, "company": company},
            code="already_admin",
        )
    now = timezone.now()
    # A new invitation replaces an open one to the same address: only the newest link works.
    Invitation.objects.filter(company=company, email=email, accepted_at__isnull=True, withdrawn_at__isnull=True).update(
        withdrawn_at=now
    )
    invitation = Invitation(
        company=company,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        access=grant.access,
        areas=grant.areas,
        read_only_areas=grant.read_only_areas,
        cost_centres=grant.cost_centres,
        is_main_admin=is_main_admin,
        language=language,
        invited_by=by.user,
    )
    token = _new_token(invitation)
    invitation.save()
    record(
        "membership.invited",
        by=by,
        company=company,
        target=invitation,
        details={"email": email, **grant.as_details(), "main_admin": is_main_admin},
    )
    _send_invitation(invitation, token)
    return invitation, token


def _managed_invitation(manager: Membership, invitation: Invitation) -> Membership:
    manager = _manager(manager)
    _check_company(manager, invitation.company)
    if not invitation.is_open:
        raise ValidationError(_("This invitation has already been accepted or withdrawn."), code="invitation_closed")
    return manager


@transaction.atomic
def resend_invitation(*, manager: Membership, invitation: Invitation, by: Actor) -> str:
    """A new link, valid for another 7 days; the old one stops working."""
    invitation = Invitation.objects.unscoped().select_for_update().select_related("company").get(pk=invitation.pk)
    _managed_invitation(manager, invitation)
    token = _new_token(invitation)
    invitation.save(update_fields=["token_hash", "expires_at"])
    record("membership.invitation_resent", by=by, company=invitation.company, target=invitation, details={})
    _send_invitation(invitation, token)
    return token


@transaction.atomic
def withdraw_invitation(*, manager: Membership, invitation: Invitation, by: Actor) -> None:
    invitation = Invitation.objects.unscoped().select_for_update().select_related("company").get(pk=invitation.pk)
    _managed_invitation(manager, invitation)
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    record("membership.invitation_withdrawn", by=by, company=invitation.company, target=invitation, details={})
    _mail(
        to=invitation.email,
        language=invitation.language,
        subject=gettext_noop("Your invitation to %(company)s was withdrawn"),
        lines=[gettext_noop("The invitation to be an admin of %(company)s was withdrawn; its link no longer works.")],
        company=invitation.company.name,
    )


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation of this link (open, accepted or expired: the page says which); None for unknown or old links."""
    invitation = Invitation.objects.unscoped().select_related("company").filter(token_hash=_hash(token)).first()
    if invitation is None or invitation.withdrawn_at is not None:
        return None
    return invitation


def is_expired(invitation: Invitation) -> bool:
    return invitation.expires_at <= timezone.now()


def existing_user(invitation: Invitation) -> User | None:
    return User.objects.filter(email__iexact=invitation.email).first()


@transaction.atomic
def accept_invitation(
    *, invitation: Invitation, password: str = "", ip_address: str | None = None
) -> tuple[User, Membership]:
    """Makes the invitee an admin (creating their user with ``password`` when they have none yet)."""
    invitation = Invitation.objects.unscoped().select_for_update().select_related("company").get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation has already been used."), code="invitation_closed")
    if is_expired(invitation):
        raise ValidationError(
            _("This invitation has expired. Ask the admin who invited you to send it again."),
            code="invitation_expired",
        )
    user = existing_user(invitation)
    if user is None:
        candidate = User(email=invitation.email, first_name=invitation.first_name, last_name=invitation.last_name)
        password_validation.validate_password(password, candidate)
        user = User.objects.create_user(
            invitation.email,
            password,
            first_name=invitation.first_name,
            last_name=invitation.last_name,
            language=invitation.language,
        )
    membership, _created = Membership.objects.update_or_create(
        user=user,
        company=invitation.company,
        defaults={
            "access": invitation.access,
            "areas": invitation.areas,
            "read_only_areas": invitation.read_only_areas,
            "cost_centres": invitation.cost_centres,
            "is_main_admin": invitation.is_main_admin,
            "granted_by": invitation.invited_by,
            "granted_at": timezone.now(),
        },
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record(
        "membership.invitation_accepted",
        by=Actor(user=user, ip_address=ip_address),
        company=invitation.company,
        target=membership,
        details={"email": user.email, **grant_details(membership)},
    )
    return user, membership


# -- changing and removing admins ------------------------------------------------------------------


def grant_details(grant: Membership | Invitation) -> dict[str, object]:
    return Grant(list(grant.areas), list(grant.read_only_areas), list(grant.cost_centres)).as_details()


def _locked(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().select_related("company", "user").get(pk=membership.pk)


@transaction.atomic
def change_admin(
    *,
    manager: Membership,
    membership: Membership,
    access: str,
    areas: Iterable[str],
    is_main_admin: bool,
    by: Actor,
    read_only_areas: Iterable[str] | None = None,
    cost_centres: Iterable[str] | None = None,
) -> Membership:
    """Changes an admin's areas, their level per area, their cost-centre limits (None: unchanged) and the main
    admin flag, within what the main admin holds."""
    manager = _manager(manager)
    membership = _locked(membership)
    _check_company(manager, membership.company)
    grant = check_grant(
        manager=manager,
        areas=areas,
        access=access,
        read_only_areas=read_only_areas,
        cost_centres=cost_centres,
        current=membership,
    )
    if membership.is_main_admin and not is_main_admin:
        _refuse_lockout(membership)
    before = {**grant_details(membership), "main_admin": membership.is_main_admin}
    after = {**grant.as_details(), "main_admin": is_main_admin}
    if before == after:
        return membership
    membership.access, membership.areas, membership.is_main_admin = grant.access, grant.areas, is_main_admin
    membership.read_only_areas, membership.cost_centres = grant.read_only_areas, grant.cost_centres
    membership.granted_by, membership.granted_at = by.user, timezone.now()
    membership.save()
    record(
        "membership.changed",
        by=by,
        company=membership.company,
        target=membership,
        details={"from": before, "to": after},
    )
    _mail(
        to=membership.user.email,
        language=membership.user.language,
        subject=gettext_noop("Your access to %(company)s was changed"),
        lines=[gettext_noop("%(by)s changed your access to %(company)s."), *_grant_lines()]
        + ([gettext_noop("You are a main admin: you manage the company's admins.")] if is_main_admin else []),
        url=_link("portal:overview"),
        by=by.display,
        **_grant_summary(membership, membership.user.language),
    )
    return membership


@transaction.atomic
def remove_admin(*, manager: Membership, membership: Membership, by: Actor) -> None:
    manager = _manager(manager)
    membership = _locked(membership)
    _check_company(manager, membership.company)
    _refuse_lockout(membership)
    user, company = membership.user, membership.company
    details = {"email": user.email, **grant_details(membership)}
    record("membership.deleted", by=by, company=company, target=membership, details=details)
    membership.delete()
    _mail(
        to=user.email,
        language=user.language,
        subject=gettext_noop("You are no longer an admin of %(company)s"),
        lines=[gettext_noop("%(by)s removed your access to %(company)s in the self-service portal.")],
        by=by.display,
        company=company.name,
    )


@transaction.atomic
def appoint_main_admin(*, company: Company, email: str, reason: str, by: Actor) -> Membership | Invitation:
    """The operator's staff make an admin main admin (or invite one with every area), with a reason."""
    if not reason.strip():
        raise ValidationError(_("Say why (e.g. the ticket or the call)."), code="reason_required")
    email = User.objects.normalize_email(email.strip()).lower()
    membership = Membership.objects.select_for_update().filter(company=company, user__email__iexact=email).first()
    if membership is None:
        user = User.objects.filter(email__iexact=email).first()
        invitation, _token = invite_admin(
            manager=None,
            company=company,
            email=email,
            access=Membership.Access.FULL,
            areas=registry.keys(),
            is_main_admin=True,
            language=user.language if user else company.invoice_language,
            by=by,
        )
        record("membership.main_admin_appointed", by=by, company=company, target=invitation, details={"reason": reason})
        return invitation
    membership.is_main_admin = True
    membership.granted_by, membership.granted_at = by.user, timezone.now()
    membership.save()
    record(
        "membership.main_admin_appointed",
        by=by,
        company=company,
        target=membership,
        details={"reason": reason, "email": email},
    )
    _mail(
        to=membership.user.email,
        language=membership.user.language,
        subject=gettext_noop("You are now a main admin of %(company)s"),
        lines=[gettext_noop("The operator made you a main admin of %(company)s: you manage the company's admins.")],
        url=_link("portal:admins"),
        company=company.name,
    )
    return membership


# -- access requests -------------------------------------------------------------------------------


def approvers(membership: Membership, *, area: str, full: bool) -> list[Membership]:
    """The main admins who could grant this request: they hold the area (with full access if asked) and the
    requester's cost centres (a main admin limited to cost centres cannot grant beyond them)."""

    def covers(m: Membership) -> bool:
        if not m.cost_centres:
            return True
        return bool(membership.cost_centres) and set(membership.cost_centres) <= set(m.cost_centres)

    return [
        m
        for m in selectors.main_admins_covering(membership.company).exclude(user=membership.user)
        if m.has_area(area) and (not full or m.can_change_area(area)) and covers(m)
    ]


@transaction.atomic
def request_access(*, membership: Membership, area: str, full: bool, message: str, by: Actor) -> AccessRequest | None:
    """Asks the company's main admins; None when none of them can grant it (then the operator is asked)."""
    found = approvers(membership, area=area, full=full)
    if not found:
        return None
    waiting = AccessRequest.objects.filter(
        company=membership.company, membership=membership, area=area, status=AccessRequest.Status.PENDING
    ).first()
    if waiting is not None:  # asked already (or the form was sent twice): the main admins have it
        return waiting
    request = AccessRequest.objects.create(
        company=membership.company, membership=membership, area=area, full=full, message=message.strip()
    )
    record(
        "membership.access_requested",
        by=by,
        company=membership.company,
        target=membership,
        details={"area": area, "full": full},
    )
    for approver in found:
        _mail(
            to=approver.user.email,
            language=approver.user.language,
            subject=gettext_noop("%(who)s asks for access to %(area)s"),
            lines=[gettext_noop("%(who)s, an admin of %(company)s, asks for access to %(area)s."), "%(message)s"],
            url=_link("portal:admins"),
            who=membership.user.email,
            area=str(registry.get(area).title),
            company=membership.company.name,
            message=message.strip(),
        )
    return request


@transaction.atomic
def decide_access_request(*, manager: Membership, access_request: AccessRequest, approve: bool, by: Actor) -> None:
    locked = AccessRequest.objects.unscoped().select_for_update().get(pk=access_request.pk)
    if locked.status != AccessRequest.Status.PENDING:
        raise ValidationError(_("This request has already been answered."), code="request_decided")
    membership = _locked(locked.membership)
    if approve:
        read_only = set(membership.read_only_areas)
        if locked.full:
            read_only.discard(locked.area)
        elif not membership.has_area(locked.area):
            read_only.add(locked.area)
        change_admin(
            manager=manager,
            membership=membership,
            access=Membership.Access.FULL,
            areas=[*membership.areas, locked.area],
            read_only_areas=read_only,
            is_main_admin=membership.is_main_admin,
            by=by,
        )
    else:
        _check_company(_manager(manager), membership.company)
    locked.status = AccessRequest.Status.APPROVED if approve else AccessRequest.Status.REFUSED
    locked.decided_by, locked.decided_at = by.user, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        "membership.access_approved" if approve else "membership.access_refused",
        by=by,
        company=membership.company,
        target=membership,
        details={"area": locked.area, "full": locked.full},
    )
    if not approve:
        _mail(
            to=membership.user.email,
            language=membership.user.language,
            subject=gettext_noop("Your request for access to %(area)s was refused"),
            lines=[gettext_noop("%(by)s refused your request for access to %(area)s at %(company)s.")],
            by=by.display,
            area=str(registry.get(locked.area).title),
            company=membership.company.name,
        )
