"""The quarterly access review: every quarter a main admin confirms or removes each admin of the company.

A review lists the admins of the company and of the subsidiaries its main admins manage, with their grants
and last sign-in. Removing goes through ``accounts.admins.remove_admin`` (so the last main admin cannot be
removed); every decision is audited. ``send_review_reminders`` (``manage.py access_review_reminders``, daily
from cron) opens the quarter's reviews and e-mails the main admins when the quarter starts and again 14 days
later if the review is not complete. The review row is locked while its reminder is queued in the outbox, in
one transaction with the reminder's timestamp, so a second run (or two at once) sends nothing more.
"""

import datetime as dt
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import admins
from accounts.models import AccessReview, AccessReviewRow
from audit.actor import Actor
from audit.events import record
from companies import selectors
from companies.models import Company, Membership

REMIND_AGAIN_AFTER = timedelta(days=14)


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def current_review(company: Company, *, today: dt.date | None = None) -> AccessReview | None:
    """This quarter's review of the company, if it was opened (no writes: for the Admins page's banner)."""
    year, quarter = quarter_of(today or timezone.localdate())
    return AccessReview.objects.filter(company=company, year=year, quarter=quarter).first()


@transaction.atomic
def open_review(company: Company, *, today: dt.date | None = None) -> AccessReview:
    """This quarter's review of the company, opened if needed; admins who joined since get a row too
    (until the review is complete)."""
    year, quarter = quarter_of(today or timezone.localdate())
    review, _created = AccessReview.objects.get_or_create(company=company, year=year, quarter=quarter)
    if review.completed_at is None:
        listed = set(
            AccessReviewRow.objects.filter(company=company, review=review).values_list("membership_id", flat=True)
        )
        AccessReviewRow.objects.bulk_create(
            [
                AccessReviewRow(company=company, review=review, membership=m, email=m.user.email)
                for m in selectors.admins(selectors.company_and_subsidiaries(company))
                if m.pk not in listed
            ],
            ignore_conflicts=True,
        )
    return review


def rows(review: AccessReview) -> list[AccessReviewRow]:
    """The review's rows with each admin, their company and who granted them (one query)."""
    return list(
        AccessReviewRow.objects.filter(company=review.company_id, review=review)
        .select_related("membership__user", "membership__company", "membership__granted_by", "decided_by")
        .order_by("membership__company__name", "-membership__is_main_admin", "email")
    )


def _complete_if_done(review: AccessReview, *, by: Actor) -> None:
    review = AccessReview.objects.select_for_update().get(pk=review.pk, company=review.company_id)
    if review.completed_at is not None:
        return
    pending = AccessReviewRow.objects.filter(
        company=review.company_id, review=review, decision=AccessReviewRow.Decision.PENDING, membership__isnull=False
    )
    if pending.exists():
        return
    review.completed_at = timezone.now()
    review.save(update_fields=["completed_at"])
    record(
        "membership.review_completed",
        by=by,
        company=review.company,
        target=review,
        details={"year": review.year, "quarter": review.quarter},
    )


@transaction.atomic
def decide(*, manager: Membership, row: AccessReviewRow, confirm: bool, by: Actor) -> AccessReviewRow:
    """Confirms the admin's access as it is, or removes the admin (refused for the last main admin)."""
    row = (
        AccessReviewRow.objects.select_for_update(of=("self",))
        .select_related("review__company", "membership__company", "membership__user")
        .get(pk=row.pk, company=row.company_id)
    )
    fresh = admins._manager(manager)
    admins._check_company(fresh, row.review.company)
    if row.is_decided:
        raise ValidationError(_("This admin has already been reviewed."), code="review_decided")
    membership = row.membership
    assert membership is not None  # is_decided covers a removed membership
    details = {
        "year": row.review.year,
        "quarter": row.review.quarter,
        "email": row.email,
        **admins.grant_details(membership),
        "main_admin": membership.is_main_admin,
    }
    if confirm:
        admins._check_company(fresh, membership.company)
        row.decision = AccessReviewRow.Decision.CONFIRMED
        record("membership.review_confirmed", by=by, company=membership.company, target=membership, details=details)
    else:
        company = membership.company
        admins.remove_admin(manager=fresh, membership=membership, by=by)
        row.membership = None
        row.decision = AccessReviewRow.Decision.REMOVED
        record("membership.review_removed", by=by, company=company, target=row, details=details)
    row.decided_by, row.decided_at = by.user, timezone.now()
    row.save(update_fields=["membership", "decision", "decided_by", "decided_at"])
    _complete_if_done(row.review, by=by)
    return row


# -- reminders -------------------------------------------------------------------------------------


def _remind(review: AccessReview, *, again: bool) -> int:
    recipients = Membership.objects.filter(company=review.company, is_main_admin=True, user__is_active=True)
    sent = 0
    for membership in recipients.select_related("user"):
        admins._mail(
            to=membership.user.email,
            language=membership.user.language,
            subject=gettext_noop("Quarterly access review of %(company)s")
            if not again
            else gettext_noop("Reminder: quarterly access review of %(company)s"),
            lines=[
                gettext_noop(
                    "A new quarter has started: please review who is an admin of %(company)s. "
                    "Confirm each admin who still needs their access and remove those who do not."
                )
                if not again
                else gettext_noop("The quarterly access review of %(company)s is not complete yet."),
                gettext_noop("The review lists every admin with their areas, access and last sign-in."),
            ],
            url=admins._link("portal:admins_review"),
            company=review.company.name,
        )
        sent += 1
    return sent


def send_review_reminders(*, now: dt.datetime | None = None) -> int:
    """Opens this quarter's review of every company with a main admin of its own and e-mails its main admins
    once when the review opens and once more 14 days later if it is still not complete. Returns the number
    of e-mails queued; safe to run twice (or at once: the review row is locked)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    company_ids = (
        Membership.objects.filter(is_main_admin=True, user__is_active=True)
        .values_list("company_id", flat=True)
        .distinct()
    )
    sent = 0
    for company in Company.objects.filter(pk__in=company_ids).order_by("pk"):
        with transaction.atomic():
            opened = open_review(company, today=today)
            review = (
                AccessReview.objects.select_for_update(of=("self",))
                .select_related("company")
                .get(pk=opened.pk, company=company)
            )
            if review.completed_at is not None:
                continue
            if review.reminded_at is None:
                sent += _remind(review, again=False)
                review.reminded_at = now
            elif review.reminded_again_at is None and now >= review.reminded_at + REMIND_AGAIN_AFTER:
                sent += _remind(review, again=True)
                review.reminded_again_at = now
            else:
                continue
            review.save(update_fields=["reminded_at", "reminded_again_at"])
    return sent
