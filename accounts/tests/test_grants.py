"""Grants are per area (full or read-only) and may be limited to cost centres; a main admin grants only within
what they hold, and every change is audited and e-mailed with the levels and the limits."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from accounts import admins
from audit.actor import Actor
from audit.models import AuditEvent
from companies.models import Invitation, Membership
from companies.tests.factories import CompanyFactory, MembershipFactory
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return CompanyFactory(name="Firma A/S")


@pytest.fixture
def main(company):
    """Full access to tickets, read-only to subscriptions and invoices."""
    return MembershipFactory(
        company=company,
        is_main_admin=True,
        access="full",
        areas=["tickets", "subscriptions", "invoice"],
        read_only_areas=["subscriptions", "invoice"],
        user__email="main@firma.dk",
    )


def _by(membership):
    return Actor(user=membership.user)


def _refused(call) -> str:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.code


def test_levels_are_per_area_and_the_summary_follows(main):
    assert main.level("tickets") == "full" and main.level("subscriptions") == "read_only"
    assert main.level("numbers") is None
    assert main.can_change_area("tickets") and not main.can_change_area("invoice")
    assert main.access == "full" and not main.is_read_only
    every = MembershipFactory(company=main.company, access="read_only", areas=["tickets", "invoice"])
    assert every.read_only_areas == ["invoice", "tickets"] or set(every.read_only_areas) == {"invoice", "tickets"}
    assert every.is_read_only


def test_the_migration_keeps_what_everyone_could_do(company):
    """Old rows said one level for every area: read-only ones become read-only in each of their areas."""
    migration = importlib.import_module("companies.migrations.0003_per_area_access_levels")
    old_read_only = MembershipFactory(company=company, areas=["tickets", "invoice"])
    old_full = MembershipFactory(company=company, areas=["tickets"])
    Membership.objects.filter(pk=old_read_only.pk).update(access="read_only", read_only_areas=[])
    Membership.objects.filter(pk=old_full.pk).update(read_only_areas=[])
    migration.levels_from_access(apps, None)
    old_read_only.refresh_from_db()
    old_full.refresh_from_db()
    assert set(old_read_only.read_only_areas) == {"tickets", "invoice"} and old_read_only.is_read_only
    assert old_full.read_only_areas == [] and old_full.can_change_area("tickets")


def test_a_main_admin_grants_read_only_what_they_hold_read_only(main, company):
    invitation, _token = admins.invite_admin(
        manager=main,
        company=company,
        email="ny@firma.dk",
        access="full",
        areas=["tickets", "subscriptions"],
        read_only_areas=["subscriptions"],
        by=_by(main),
    )
    assert invitation.levels() == {"tickets": "full", "subscriptions": "read_only"}
    code = _refused(
        lambda: admins.invite_admin(
            manager=main, company=company, email="x@firma.dk", access="full", areas=["subscriptions"], by=_by(main)
        )
    )
    assert code == "grant_exceeds_own"


def test_full_access_an_admin_already_has_may_stay(main, company):
    other = MembershipFactory(company=company, areas=["subscriptions"])  # full, given by the operator
    changed = admins.change_admin(
        manager=main,
        membership=other,
        access="full",
        areas=["subscriptions", "tickets"],
        read_only_areas=[],
        is_main_admin=False,
        by=_by(main),
    )
    assert changed.levels() == {"subscriptions": "full", "tickets": "full"}


def test_a_limited_main_admin_grants_only_within_their_cost_centres(company):
    head = MembershipFactory(
        company=company,
        is_main_admin=True,
        areas=["subscriptions", "invoice"],
        cost_centres=["Salg", "Lager"],
        user__email="head@firma.dk",
    )
    MembershipFactory(company=company, is_main_admin=True)  # a second main admin: no lock-out warnings
    kwargs = {"manager": head, "company": company, "access": "full", "areas": ["subscriptions"], "by": _by(head)}
    assert _refused(lambda: admins.invite_admin(email="a@firma.dk", **kwargs)) == "grant_exceeds_own"
    assert (
        _refused(lambda: admins.invite_admin(email="b@firma.dk", cost_centres=["Salg", "IT"], **kwargs))
        == "grant_exceeds_own"
    )
    invitation, _ = admins.invite_admin(email="c@firma.dk", cost_centres=[" Salg "], **kwargs)
    assert invitation.cost_centres == ["Salg"]


def test_a_limited_grant_holds_only_areas_that_know_cost_centres(main, company):
    boss = MembershipFactory(company=company, is_main_admin=True, user__email="boss@firma.dk")
    code = _refused(
        lambda: admins.invite_admin(
            manager=boss,
            company=company,
            email="d@firma.dk",
            access="full",
            areas=["subscriptions", "tickets"],
            cost_centres=["Salg"],
            by=_by(boss),
        )
    )
    assert code == "area_not_cost_centre_scoped"


def test_a_change_is_audited_and_emailed_with_levels_and_limits(company):
    boss = MembershipFactory(company=company, is_main_admin=True, user__email="boss@firma.dk")
    MembershipFactory(company=company, is_main_admin=True)
    other = MembershipFactory(company=company, areas=["subscriptions"], user__email="ole@firma.dk", user__language="en")
    admins.change_admin(
        manager=boss,
        membership=other,
        access="full",
        areas=["subscriptions", "invoice"],
        read_only_areas=["invoice"],
        cost_centres=["Salg"],
        is_main_admin=False,
        by=_by(boss),
    )
    event = AuditEvent.all_companies.get(action="membership.changed")
    assert event.details["to"]["read_only_areas"] == ["invoice"]
    assert event.details["to"]["cost_centres"] == ["Salg"]
    assert event.details["from"]["cost_centres"] == []
    mail = OutboxMessage.objects.get()
    body = mail.body
    assert "Subscriptions (Full access)" in body and "(Read only)" in body
    assert "only the cost centres Salg" in body


def test_an_accepted_invitation_carries_the_levels_and_limits(company):
    boss = MembershipFactory(company=company, is_main_admin=True, user__email="boss@firma.dk")
    invitation, _ = admins.invite_admin(
        manager=boss,
        company=company,
        email="ny@firma.dk",
        access="full",
        areas=["subscriptions", "invoice"],
        read_only_areas=["invoice"],
        cost_centres=["Lager"],
        by=_by(boss),
    )
    body = OutboxMessage.objects.get().body
    assert "Lager" in body
    _user, membership = admins.accept_invitation(invitation=invitation, password="Et-langt-kodeord-42")
    assert membership.levels() == {"subscriptions": "full", "invoice": "read_only"}
    assert membership.cost_centres == ["Lager"]
    assert Invitation.all_companies.get().accepted_at is not None


def test_a_read_only_request_adds_the_area_read_only_and_a_full_one_upgrades(main, company):
    asker = MembershipFactory(company=company, areas=["tickets"])
    boss = MembershipFactory(company=company, is_main_admin=True)
    request = admins.request_access(membership=asker, area="invoice", full=False, message="", by=_by(asker))
    assert request is not None
    admins.decide_access_request(manager=boss, access_request=request, approve=True, by=_by(boss))
    asker.refresh_from_db()
    assert asker.levels() == {"tickets": "full", "invoice": "read_only"}
    upgrade = admins.request_access(membership=asker, area="invoice", full=True, message="", by=_by(asker))
    # The read-only main admin of invoices cannot grant full access to it: only the full one is asked.
    assert main not in admins.approvers(asker, area="invoice", full=True)
    admins.decide_access_request(manager=boss, access_request=upgrade, approve=True, by=_by(boss))
    asker.refresh_from_db()
    assert asker.level("invoice") == "full"
