"""Main admins manage admins, granting only what they hold; every change audited and e-mailed."""

import pytest
from django.core.exceptions import ValidationError

from accounts import admins
from accounts.models import User
from accounts.tests.factories import UserFactory
from audit.actor import Actor
from audit.models import AuditEvent
from companies.models import AccessRequest, Invitation, Membership
from companies.tests.factories import CompanyFactory, MembershipFactory
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def outbox() -> list[OutboxMessage]:
    """The mail queued in the outbox (it is handed to the mail server after the commit)."""
    return list(OutboxMessage.objects.order_by("pk"))


@pytest.fixture
def group():
    parent = CompanyFactory(name="Gruppe A/S")
    child = CompanyFactory(name="Datter ApS", parent=parent)
    main = MembershipFactory(
        company=parent, is_main_admin=True, areas=["tickets", "subscriptions"], user__email="main@gruppe.dk"
    )
    return parent, child, main


def _by(membership):
    return Actor(user=membership.user)


def test_it_invites_an_admin_of_a_subsidiary_with_an_email_in_their_language(group):
    _parent, child, main = group
    invitation, token = admins.invite_admin(
        manager=main,
        company=child,
        email="Ny@Datter.dk",
        access="read_only",
        areas=["tickets"],
        language="da",
        by=_by(main),
    )
    assert invitation.email == "ny@datter.dk" and invitation.company == child
    assert invitation.token_hash != token  # only the hash is stored
    [message] = outbox()
    assert message.to == ["ny@datter.dk"]
    assert "Du er inviteret som administrator af Datter ApS" in message.subject
    assert f"/invitation/{token}/" in message.body
    assert AuditEvent.all_companies.filter(action="membership.invited", company=child).count() == 1


def test_it_refuses_to_grant_an_area_the_main_admin_does_not_hold(group):
    _parent, child, main = group
    with pytest.raises(ValidationError) as refused:
        admins.invite_admin(
            manager=main, company=child, email="x@datter.dk", access="full", areas=["invoice"], by=_by(main)
        )
    assert refused.value.code == "grant_exceeds_own"
    assert "Invoice" in refused.value.messages[0]
    assert not Invitation.all_companies.exists() and not outbox()


def test_it_refuses_full_access_from_a_read_only_main_admin(group):
    parent, _child, main = group
    Membership.objects.filter(pk=main.pk).update(access="read_only")
    with pytest.raises(ValidationError) as refused:
        admins.invite_admin(
            manager=main, company=parent, email="x@gruppe.dk", access="full", areas=["tickets"], by=_by(main)
        )
    assert refused.value.code == "grant_exceeds_own"


def test_it_refuses_a_company_the_main_admin_does_not_manage(group):
    _parent, _child, main = group
    other = CompanyFactory()
    with pytest.raises(ValidationError) as refused:
        admins.invite_admin(manager=main, company=other, email="x@y.dk", access="full", areas=[], by=_by(main))
    assert refused.value.code == "not_managed"


def test_an_admin_who_is_not_main_admin_cannot_manage(group):
    parent, _child, _main = group
    plain = MembershipFactory(company=parent)
    with pytest.raises(ValidationError) as refused:
        admins.invite_admin(manager=plain, company=parent, email="x@y.dk", access="full", areas=[], by=_by(plain))
    assert refused.value.code == "not_main_admin"


def test_it_changes_an_admin_keeps_what_they_had_and_bumps_their_access_version(group):
    _parent, child, main = group
    other = MembershipFactory(company=child, areas=["invoice"], user__language="da")
    version = User.objects.get(pk=other.user_id).access_version
    admins.change_admin(
        manager=main,
        membership=other,
        access="full",
        areas=["invoice", "tickets"],
        is_main_admin=False,
        by=_by(main),
    )
    other.refresh_from_db()
    assert set(other.areas) == {"tickets", "invoice"}
    assert other.granted_by == main.user and other.granted_at is not None
    assert User.objects.get(pk=other.user_id).access_version > version
    event = AuditEvent.all_companies.get(action="membership.changed")
    assert event.details["from"]["areas"] == ["invoice"]
    [message] = outbox()
    assert message.subject == "Din adgang til Datter ApS er ændret"


def test_it_refuses_to_remove_or_demote_the_last_main_admin(group):
    _parent, _child, main = group
    with pytest.raises(ValidationError) as refused:
        admins.remove_admin(manager=main, membership=main, by=_by(main))
    assert refused.value.code == "last_main_admin"
    with pytest.raises(ValidationError):
        admins.change_admin(
            manager=main, membership=main, access="full", areas=main.areas, is_main_admin=False, by=_by(main)
        )
    main.refresh_from_db()
    assert main.is_main_admin


def test_it_removes_an_admin_and_tells_them(group):
    parent, _child, main = group
    other = MembershipFactory(company=parent, user__language="en")
    admins.remove_admin(manager=main, membership=other, by=_by(main))
    assert not Membership.objects.filter(pk=other.pk).exists()
    assert outbox()[0].subject == "You are no longer an admin of Gruppe A/S"
    assert AuditEvent.all_companies.filter(action="membership.deleted").count() == 1


def test_a_second_main_admin_can_remove_the_first(group):
    parent, _child, main = group
    second = MembershipFactory(company=parent, is_main_admin=True, areas=["tickets"])
    admins.remove_admin(manager=second, membership=main, by=_by(second))
    assert not Membership.objects.filter(pk=main.pk).exists()


def test_staff_appoint_a_main_admin_with_a_reason(group):
    _parent, child, _main = group
    plain = MembershipFactory(company=child)
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValidationError):
        admins.appoint_main_admin(company=child, email=plain.user.email, reason=" ", by=Actor(user=staff))
    admins.appoint_main_admin(company=child, email=plain.user.email, reason="Ticket T-12", by=Actor(user=staff))
    plain.refresh_from_db()
    assert plain.is_main_admin
    event = AuditEvent.all_companies.get(action="membership.main_admin_appointed")
    assert event.details["reason"] == "Ticket T-12" and event.actor == staff


def test_staff_invite_a_main_admin_when_the_company_has_nobody(group):
    lonely = CompanyFactory()
    staff = UserFactory(is_staff=True)
    admins.appoint_main_admin(company=lonely, email="new@lonely.dk", reason="Phone call", by=Actor(user=staff))
    invitation = Invitation.all_companies.get(company=lonely)
    assert invitation.is_main_admin and invitation.access == "full"


def test_an_access_request_goes_to_the_main_admins_who_can_grant_it(group):
    _parent, child, main = group
    asker = MembershipFactory(company=child, areas=["tickets"])
    request = admins.request_access(membership=asker, area="subscriptions", full=False, message="Please", by=_by(asker))
    assert request is not None
    assert outbox()[0].to == ["main@gruppe.dk"]
    admins.decide_access_request(manager=main, access_request=request, approve=True, by=_by(main))
    asker.refresh_from_db()
    assert asker.has_area("subscriptions")
    assert AccessRequest.all_companies.get().status == "approved"


def test_an_access_request_nobody_can_grant_goes_to_the_operator(group):
    _parent, child, _main = group
    asker = MembershipFactory(company=child, areas=["tickets"])
    assert admins.request_access(membership=asker, area="invoice", full=False, message="", by=_by(asker)) is None


def test_a_refused_request_changes_nothing_and_tells_the_admin(group):
    _parent, child, main = group
    asker = MembershipFactory(company=child, areas=["tickets"], user__language="en")
    request = admins.request_access(membership=asker, area="subscriptions", full=False, message="", by=_by(asker))
    OutboxMessage.objects.all().delete()
    admins.decide_access_request(manager=main, access_request=request, approve=False, by=_by(main))
    asker.refresh_from_db()
    assert asker.areas == ["tickets"]
    assert "was refused" in outbox()[0].subject
    with pytest.raises(ValidationError):
        admins.decide_access_request(manager=main, access_request=request, approve=True, by=_by(main))


def test_a_withdrawn_invitation_stops_working_and_the_invitee_is_told(group):
    parent, _child, main = group
    invitation, token = admins.invite_admin(
        manager=main,
        company=parent,
        email="ny@gruppe.dk",
        access="full",
        areas=["tickets"],
        language="da",
        by=_by(main),
    )
    admins.withdraw_invitation(manager=main, invitation=invitation, by=_by(main))
    assert admins.invitation_for_token(token) is None
    assert outbox()[-1].subject == "Din invitation til Gruppe A/S er trukket tilbage"
    assert AuditEvent.all_companies.filter(action="membership.invitation_withdrawn").count() == 1
