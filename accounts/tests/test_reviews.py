"""The quarterly access review: confirm or remove each admin, complete when all are decided, reminders once."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts import reviews
from accounts.models import AccessReview, AccessReviewRow
from accounts.tests.factories import UserFactory
from audit.actor import Actor
from audit.models import AuditEvent
from companies.models import Membership
from companies.tests.factories import CompanyFactory, MembershipFactory
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

QUARTER_START = dt.datetime(2027, 1, 1, 6, 0, tzinfo=dt.UTC)


@pytest.fixture
def group():
    parent = CompanyFactory(name="Gruppe A/S")
    child = CompanyFactory(name="Datter ApS", parent=parent)
    main = MembershipFactory(company=parent, is_main_admin=True, user__email="main@gruppe.dk", user__language="da")
    other = MembershipFactory(company=parent, user__email="other@gruppe.dk")
    sub = MembershipFactory(company=child, user__email="sub@datter.dk")
    return parent, child, main, other, sub


def _row(review, membership):
    return AccessReviewRow.objects.get(company=review.company, review=review, membership=membership)


def _mail():
    return list(OutboxMessage.objects.order_by("pk"))


def test_a_review_lists_every_admin_of_the_company_and_its_subsidiaries(group):
    parent, *_ = group
    MembershipFactory(company=CompanyFactory(), user__email="elsewhere@beta.dk")
    review = reviews.open_review(parent, today=dt.date(2026, 12, 3))
    assert (review.year, review.quarter) == (2026, 4)
    assert {r.email for r in reviews.rows(review)} == {"main@gruppe.dk", "other@gruppe.dk", "sub@datter.dk"}
    assert reviews.open_review(parent, today=dt.date(2026, 11, 1)).pk == review.pk  # one per quarter


def test_confirming_and_removing_every_row_completes_the_review_and_is_audited(group):
    parent, _child, main, other, sub = group
    review = reviews.open_review(parent)
    by = Actor(user=main.user)
    reviews.decide(manager=main, row=_row(review, main), confirm=True, by=by)
    reviews.decide(manager=main, row=_row(review, other), confirm=True, by=by)
    review.refresh_from_db()
    assert review.completed_at is None
    reviews.decide(manager=main, row=_row(review, sub), confirm=False, by=by)
    assert not Membership.objects.filter(pk=sub.pk).exists()
    review.refresh_from_db()
    assert review.completed_at is not None
    decided = {r.email: (r.decision, r.decided_by) for r in reviews.rows(review)}
    assert decided == {
        "main@gruppe.dk": ("confirmed", main.user),
        "other@gruppe.dk": ("confirmed", main.user),
        "sub@datter.dk": ("removed", main.user),
    }
    events = AuditEvent.all_companies.filter(action__startswith="membership.review_")
    assert sorted(events.values_list("action", flat=True)) == [
        "membership.review_completed",
        "membership.review_confirmed",
        "membership.review_confirmed",
        "membership.review_removed",
    ]
    assert AuditEvent.all_companies.filter(action="membership.deleted", details__email="sub@datter.dk").exists()
    with pytest.raises(ValidationError):
        reviews.decide(manager=main, row=AccessReviewRow.all_companies.get(email="main@gruppe.dk"), confirm=True, by=by)


def test_removing_the_last_main_admin_is_refused_and_the_row_stays_open(group):
    parent, _child, main, _other, _sub = group
    review = reviews.open_review(parent)
    with pytest.raises(ValidationError) as refused:
        reviews.decide(manager=main, row=_row(review, main), confirm=False, by=Actor(user=main.user))
    assert refused.value.code == "last_main_admin"
    assert Membership.objects.filter(pk=main.pk).exists()
    assert _row(review, main).decision == "pending"


def test_a_main_admin_cannot_decide_another_companys_review(group):
    parent, _child, _main, other, _sub = group
    stranger = MembershipFactory(company=CompanyFactory(), is_main_admin=True)
    review = reviews.open_review(parent)
    with pytest.raises(ValidationError):
        reviews.decide(manager=stranger, row=_row(review, other), confirm=False, by=Actor(user=stranger.user))
    assert Membership.objects.filter(pk=other.pk).exists()


def test_reminders_go_once_at_the_quarter_start_and_once_more_after_14_days_in_the_admins_language(group):
    parent, _child, _main, _other, _sub = group
    MembershipFactory(company=parent, is_main_admin=True, user__email="main2@gruppe.dk", user__language="en")
    assert reviews.send_review_reminders(now=QUARTER_START) == 2
    assert reviews.send_review_reminders(now=QUARTER_START) == 0  # run twice: nothing more
    assert reviews.send_review_reminders(now=QUARTER_START + dt.timedelta(days=13)) == 0
    mails = {m.to[0]: m.subject for m in _mail()}
    assert mails == {
        "main@gruppe.dk": "Kvartalets adgangsgennemgang for Gruppe A/S",
        "main2@gruppe.dk": "Quarterly access review of Gruppe A/S",
    }
    assert all("/admins/review/" in m.body for m in _mail())
    assert reviews.send_review_reminders(now=QUARTER_START + dt.timedelta(days=14)) == 2
    assert reviews.send_review_reminders(now=QUARTER_START + dt.timedelta(days=15)) == 0
    assert sorted(m.subject for m in _mail()[2:]) == [
        "Påmindelse: kvartalets adgangsgennemgang for Gruppe A/S",
        "Reminder: quarterly access review of Gruppe A/S",
    ]
    assert len(_mail()) == 4
    review = AccessReview.objects.get(company=parent)
    assert (review.year, review.quarter) == (2027, 1)


def test_no_second_reminder_when_the_review_is_complete(group):
    parent, _child, main, other, sub = group
    reviews.send_review_reminders(now=QUARTER_START)
    review = AccessReview.objects.get(company=parent)
    for membership in (main, other, sub):
        reviews.decide(manager=main, row=_row(review, membership), confirm=True, by=Actor(user=main.user))
    before = len(_mail())
    assert reviews.send_review_reminders(now=QUARTER_START + dt.timedelta(days=20)) == 0
    assert len(_mail()) == before


def test_the_command_run_twice_sends_one_reminder(group, capsys):
    call_command("access_review_reminders")
    call_command("access_review_reminders")
    assert [m.to for m in _mail()] == [["main@gruppe.dk"]]
    assert "0 access review reminders queued" in capsys.readouterr().out


def test_an_inactive_main_admin_gets_no_reminder(group):
    parent, *_ = group
    MembershipFactory(company=parent, is_main_admin=True, user=UserFactory(email="gone@gruppe.dk", is_active=False))
    reviews.send_review_reminders(now=QUARTER_START)
    assert [m.to for m in _mail()] == [["main@gruppe.dk"]]
