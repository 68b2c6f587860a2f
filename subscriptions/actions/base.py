"""What the subscription actions share: the open statuses, the row lock and the notice rules."""

import datetime

from django.utils import timezone

from subscriptions.models import Subscription

OPEN = [Subscription.Status.PENDING_ACTIVE, Subscription.Status.ACTIVE, Subscription.Status.SUSPENDED]
DETAIL_FIELDS = ["user_name", "email", "cost_centre", "salary_number", "invoice_note"]


def first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def earliest_cancel_date(sub: Subscription, today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    if sub.status == Subscription.Status.PENDING_ACTIVE:
        return today
    earliest = today + datetime.timedelta(days=sub.product.notice_days)
    if sub.binding_end and sub.binding_end > earliest:
        earliest = sub.binding_end
    return earliest


def locked(sub: Subscription) -> Subscription:
    return (
        Subscription.objects.select_for_update()
        .select_related("product", "company")
        .get(pk=sub.pk, company_id=sub.company_id)
    )
