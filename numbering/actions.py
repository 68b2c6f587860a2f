"""Writes of the Numbers area: port requests (a state machine) and call flow versions."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from common import formats
from common.telecom import OPERATOR_LABELS, parse_landline, parse_mobile
from common.uploads import PDF, detect_kind, read_head
from companies.models import Company
from jobs.queue import enqueue
from numbering import flows
from numbering.events import CallFlowSaved, PortRequestStatusChanged
from numbering.models import (
    CallFlowVersion,
    PhoneNumber,
    PortComment,
    PortEvent,
    PortNumber,
    PortRequest,
    authorisation_upload_name,
)
from numbering.porting import earliest_porting_date, port_date_problem
from numbering.tasks import notify_staff_of_port_request, provision_call_flow, send_port_request_update
from registry.events import publish
from subscriptions.actions import activate_after_port
from subscriptions.actions import cancel as cancel_subscription
from subscriptions.events import SubscriptionCancelled, SubscriptionCreated
from subscriptions.models import Subscription

S = PortRequest.Status
# Allowed transitions (DOMAIN.md): anything else is refused with a reason.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED, S.CANCELLED},
    S.SUBMITTED: {S.PENDING, S.REJECTED, S.CANCELLED},
    S.PENDING: {S.SCHEDULED, S.REJECTED, S.CANCELLED},
    S.SCHEDULED: {S.COMPLETED, S.REJECTED},
    S.REJECTED: {S.SUBMITTED, S.CANCELLED},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
}
CUSTOMER_EDITABLE = {S.DRAFT, S.REJECTED}
MAX_PDF_BYTES = 10 * 1024 * 1024


def _refuse(port_request: PortRequest, new: str) -> None:
    if new not in TRANSITIONS[port_request.status]:
        raise ValidationError(
            _("A request that is “%(current)s” cannot become “%(new)s”.")
            % {"current": port_request.get_status_display(), "new": S(new).label},
            code="invalid_transition",
        )


def _lock(port_request: PortRequest) -> None:
    """Locks the request's row and reloads its state: two staff acting on it at once are serialised.

    The second one waits for the first to commit and then finds the request changed, which is
    refused with who changed it instead of acting on a state that no longer holds (before: a
    second completion created the numbers again, and the unique constraint gave a 500).
    """
    seen = port_request.status
    fresh = PortRequest.objects.select_for_update().get(pk=port_request.pk, company_id=port_request.company_id)
    port_request.status, port_request.status_reason = fresh.status, fresh.status_reason
    port_request.scheduled_at = fresh.scheduled_at
    if fresh.status != seen:
        last = fresh.events.order_by("-created_at", "-id").first()
        raise ValidationError(
            _("This request was just changed to “%(status)s” by %(who)s; nothing was done. The page shows it now.")
            % {"status": fresh.get_status_display(), "who": last.actor_label if last else _("someone else")},
            code="changed_meanwhile",
        )


def _transition(port_request: PortRequest, new: str, *, reason: str, by: Actor) -> PortEvent:
    _refuse(port_request, new)
    previous = port_request.status
    port_request.status = new
    port_request.status_reason = reason
    port_request.save(update_fields=["status", "status_reason", "scheduled_at", "updated_at"])
    event = PortEvent.objects.create(
        port_request=port_request,
        new_status=new,
        previous_status=previous,
        reason=reason,
        user=by.user,
        actor_label=by.display,
    )
    record(
        f"numbers.port_{new}",
        by=by,
        company=port_request.company,
        target=port_request,
        details={"previous": previous, "new": new, "reason": reason},
    )
    enqueue(send_port_request_update, port_request.pk, event.pk)
    publish(
        PortRequestStatusChanged(
            company_id=port_request.company_id,
            port_request_id=port_request.pk,
            subscription_id=port_request.subscription_id,
            previous=previous,
            new=new,
            by=by,
        )
    )
    return event


def validate_pdf(upload: UploadedFile) -> None:
    if upload.size is not None and upload.size > MAX_PDF_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="file_too_large")
    if detect_kind(read_head(upload)) is not PDF:
        raise ValidationError(_("The file is not a PDF document."), code="not_pdf")


def _save_details(
    port_request: PortRequest, *, details: dict[str, Any], numbers: list[str], authorisation: dict[str, Any], by: Actor
) -> None:
    for field_name, value in details.items():
        setattr(port_request, field_name, value)
    if port_request.desired_date < earliest_porting_date():
        raise ValidationError(
            _("The earliest possible porting date is %(date)s.") % {"date": formats.date(earliest_porting_date())},
            code="date_too_early",
        )
    problem = port_date_problem(port_request.desired_date, current_operator=port_request.current_operator)
    if problem:
        raise ValidationError(problem, code="date_not_possible")
    method = authorisation.get("method")
    if method == PortRequest.Authorisation.UPLOAD and authorisation.get("file") is not None:
        upload = authorisation["file"]
        validate_pdf(upload)
        port_request.authorisation_method = method
        port_request.authorisation_filename = upload.name[:200]
        port_request.authorisation_file.save(authorisation_upload_name(upload.name), upload, save=False)
        port_request.signed_name, port_request.signed_at, port_request.signed_by, port_request.signed_ip = (
            "",
            None,
            None,
            None,
        )
    elif method == PortRequest.Authorisation.SIGNED:
        if not authorisation.get("consent") or not str(authorisation.get("name", "")).strip():
            raise ValidationError(
                _("Type your full name and give your consent to sign the authorisation."), code="not_signed"
            )
        port_request.authorisation_method = method
        port_request.signed_name = authorisation["name"].strip()
        port_request.signed_at = timezone.now()
        port_request.signed_by = by.user
        port_request.signed_ip = by.ip_address
    port_request.full_clean(exclude=["company", "authorisation_file"])
    port_request.save()
    existing = {n.number: n for n in port_request.numbers.all()}
    PortNumber.objects.filter(port_request=port_request).exclude(number__in=numbers).delete()
    PortNumber.objects.bulk_create(
        [PortNumber(port_request=port_request, number=n) for n in numbers if n not in existing]
    )
    PortNumber.objects.filter(port_request=port_request).update(status=PortNumber.Status.REQUESTED, note="")


def _check_numbers_free(company: Company, numbers: list[str], exclude: PortRequest | None = None) -> None:
    taken = set(PhoneNumber.objects.unscoped().filter(number__in=numbers).values_list("number", flat=True))
    open_ports = PortNumber.objects.filter(
        number__in=numbers,
        port_request__status__in=[S.SUBMITTED, S.PENDING, S.SCHEDULED, S.REJECTED],
    ).exclude(status__in=[PortNumber.Status.NOT_PORTED, PortNumber.Status.CANCELLED])
    if exclude is not None:
        open_ports = open_ports.exclude(port_request=exclude)
    taken |= set(open_ports.values_list("number", flat=True))
    if taken:
        raise ValidationError(
            _("These numbers are already ours or in another port request: %(numbers)s.")
            % {"numbers": ", ".join(sorted(taken))},
            code="numbers_taken",
        )


@transaction.atomic
def create_port_request(
    *,
    company: Company,
    details: dict[str, Any],
    numbers: list[str],
    authorisation: dict[str, Any],
    submit: bool,
    by: Actor,
) -> PortRequest:
    _check_numbers_free(company, numbers)
    port_request = PortRequest(company=company, created_by=by.user)
    _save_details(port_request, details=details, numbers=numbers, authorisation=authorisation, by=by)
    event = PortEvent.objects.create(
        port_request=port_request, new_status=S.DRAFT, reason=_("Created"), user=by.user, actor_label=by.display
    )
    record(
        "numbers.port_created",
        by=by,
        company=company,
        target=port_request,
        details={"numbers": numbers, "authorisation": port_request.authorisation_method},
    )
    if submit:
        submit_port_request(port_request, by=by)
    else:
        enqueue(send_port_request_update, port_request.pk, event.pk)
    return port_request


@transaction.atomic
def create_subscription_port_request(
    *,
    subscription: Subscription,
    number: str,
    current_operator: str,
    signed_name: str,
    signed_at: datetime.datetime | None = None,
    signed_ip: str | None = None,
    by: Actor,
) -> PortRequest:
    """The port request of a new subscription that keeps its number from another operator (the guide).

    A mobile (or mobile broadband) subscription gets a mobile request, which accepts only a Danish mobile
    number; a landline subscription gets a landline request. It is signed in the portal (the holder's
    consent with the typed name, the time, the user and the IP address) and submitted at once, so the
    operator's staff see it in their queue. The subscription stays pending until the port is completed.
    """
    from subscriptions.models import Product

    mobile = subscription.product.kind != Product.Kind.LANDLINE
    try:
        number = parse_mobile(number) if mobile else parse_landline(number)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid_number") from None
    if current_operator not in OPERATOR_LABELS:
        raise ValidationError(_("Choose the current operator."), code="invalid_operator")
    if not signed_name.strip():
        raise ValidationError(
            _("Type your full name and give your consent to sign the authorisation."), code="not_signed"
        )
    company = subscription.company
    _check_numbers_free(company, [number])
    user = by.user
    port_request = PortRequest.objects.create(
        company=company,
        subscription=subscription,
        created_by=user,
        kind=PortRequest.Kind.MOBILE if mobile else PortRequest.Kind.LANDLINE,
        current_operator=current_operator,
        holder_name=company.name[:200],
        cvr=company.cvr,
        holder_street=company.street,
        holder_postcode=company.postcode,
        holder_city=company.city,
        desired_date=earliest_porting_date(),
        notification_emails=getattr(user, "email", "") or "",
        notification_language=getattr(user, "language", "") or "da",
        authorisation_method=PortRequest.Authorisation.SIGNED,
        signed_name=signed_name.strip()[:200],
        signed_at=signed_at or timezone.now(),
        signed_by=user,
        signed_ip=signed_ip or by.ip_address,
    )
    PortNumber.objects.create(port_request=port_request, number=number)
    PortEvent.objects.create(
        port_request=port_request, new_status=S.DRAFT, reason=_("Created"), user=user, actor_label=by.display
    )
    record(
        "numbers.port_created",
        by=by,
        company=company,
        target=port_request,
        details={
            "numbers": [number],
            "authorisation": port_request.authorisation_method,
            "kind": port_request.kind,
            "subscription": subscription.pk,
        },
    )
    submit_port_request(port_request, by=by)
    return port_request


@transaction.atomic
def update_port_request(
    port_request: PortRequest,
    *,
    details: dict[str, Any],
    numbers: list[str],
    authorisation: dict[str, Any],
    submit: bool,
    by: Actor,
) -> PortRequest:
    """The customer corrects a draft or a rejected request (and may submit it again)."""
    port_request = PortRequest.objects.select_for_update().get(pk=port_request.pk, company_id=port_request.company_id)
    if port_request.status not in CUSTOMER_EDITABLE:
        raise ValidationError(_("Only a draft or a rejected request can be changed."), code="not_editable")
    _check_numbers_free(port_request.company, numbers, exclude=port_request)
    _save_details(port_request, details=details, numbers=numbers, authorisation=authorisation, by=by)
    record(
        "numbers.port_changed", by=by, company=port_request.company, target=port_request, details={"numbers": numbers}
    )
    if submit:
        submit_port_request(port_request, by=by)
    return port_request


@transaction.atomic
def submit_port_request(port_request: PortRequest, *, by: Actor) -> PortRequest:
    _lock(port_request)
    _refuse(port_request, S.SUBMITTED)
    if not port_request.has_authorisation:
        raise ValidationError(
            _("The porting authorisation is missing: upload a signed PDF or sign in the portal."),
            code="authorisation_missing",
        )
    if port_request.desired_date < earliest_porting_date():
        raise ValidationError(
            _("The desired date has passed. Choose %(date)s or later.")
            % {"date": formats.date(earliest_porting_date())},
            code="date_too_early",
        )
    problem = port_date_problem(port_request.desired_date, current_operator=port_request.current_operator)
    if problem:
        raise ValidationError(problem, code="date_not_possible")
    reason = _("Resubmitted after correction") if port_request.status == S.REJECTED else _("Submitted")
    _transition(port_request, S.SUBMITTED, reason=reason, by=by)
    enqueue(notify_staff_of_port_request, port_request.pk)
    return port_request


@transaction.atomic
def cancel_port_request(port_request: PortRequest, *, reason: str, by: Actor) -> PortRequest:
    _cancel(port_request, reason=reason, by=by)
    sub = port_request.subscription
    if sub is not None and sub.status == Subscription.Status.PENDING_ACTIVE:
        # Without its number the new subscription cannot start: it is cancelled before start.
        cancel_subscription(
            sub,
            on=timezone.localdate(),
            by=by,
            reason=_("Number transfer %(ref)s cancelled") % {"ref": port_request.reference},
        )
    return port_request


def _cancel(port_request: PortRequest, *, reason: str, by: Actor) -> None:
    """Cancels the request alone (its subscription is the caller's business)."""
    _lock(port_request)
    if port_request.status == S.SCHEDULED:
        raise ValidationError(_("The port is already scheduled. Contact us to stop it."))
    _refuse(port_request, S.CANCELLED)
    # The numbers first, so the change's event (PortRequestStatusChanged) shows the request as it is now.
    port_request.numbers.update(status=PortNumber.Status.CANCELLED)
    _transition(port_request, S.CANCELLED, reason=reason or _("Cancelled by the customer"), by=by)


# -- what the Subscriptions area tells us (registry.events; subscribed in NumberingConfig.ready) ------------


def on_subscription_created(event: SubscriptionCreated) -> dict[str, str] | None:
    """A new subscription that keeps its number from another operator gets its port request, submitted."""
    if event.port_in is None:
        return None
    port_in = event.port_in
    port_request = create_subscription_port_request(
        subscription=event.subscription,
        number=port_in.number,
        current_operator=port_in.operator,
        signed_name=port_in.signed_name,
        signed_at=port_in.signed_at,
        signed_ip=port_in.signed_ip,
        by=event.by,
    )
    return {"port_request": port_request.reference}


def on_subscription_cancelled(event: SubscriptionCancelled) -> None:
    """Cancelled before start: the number transfer it waited for is cancelled too, refused once scheduled
    (the refusal rolls the cancellation back). Only the requests change here: the subscription is cancelled
    already, so nothing calls back into Subscriptions."""
    sub = event.subscription
    if not (event.before_start and sub.port_in_requested):
        return
    requests = PortRequest.objects.for_company(sub.company).filter(subscription=sub)
    for port_request in requests.select_for_update().filter(status__in=[S.SUBMITTED, S.PENDING, S.REJECTED, S.DRAFT]):
        _cancel(port_request, reason=_("The subscription was cancelled"), by=event.by)
    if requests.filter(status=S.SCHEDULED).exists():
        raise ValidationError(_("The number transfer is already scheduled. Contact us to stop it."))


@transaction.atomic
def accept_port_request(port_request: PortRequest, *, by: Actor) -> PortRequest:
    _lock(port_request)
    _transition(port_request, S.PENDING, reason=_("Sent to the current operator"), by=by)
    return port_request


@transaction.atomic
def reject_port_request(port_request: PortRequest, *, reason: str, by: Actor) -> PortRequest:
    _lock(port_request)
    if not reason.strip():
        raise ValidationError(_("Give a reason, so the customer can correct the request."))
    _refuse(port_request, S.REJECTED)
    port_request.numbers.exclude(status=PortNumber.Status.PORTED).update(status=PortNumber.Status.REQUESTED)
    port_request.scheduled_at = None  # saved by the transition
    _transition(port_request, S.REJECTED, reason=reason.strip(), by=by)
    return port_request


@transaction.atomic
def schedule_port_request(port_request: PortRequest, *, at: datetime.datetime, by: Actor) -> PortRequest:
    _lock(port_request)
    if timezone.is_naive(at):
        raise ValidationError(_("The time must include a time zone."))
    if at.date() < timezone.localdate() or at < timezone.now():
        raise ValidationError(_("The scheduled time must be in the future."))
    if port_request.status == S.SUBMITTED:
        # Staff may schedule straight from the queue; the timeline still shows both steps.
        accept_port_request(port_request, by=by)
    _refuse(port_request, S.SCHEDULED)
    port_request.scheduled_at = at
    local = timezone.localtime(at)
    port_request.numbers.filter(status=PortNumber.Status.REQUESTED).update(status=PortNumber.Status.SCHEDULED)
    _transition(
        port_request,
        S.SCHEDULED,
        reason=_("Scheduled for %(when)s") % {"when": formats.datetime(local)},
        by=by,
    )
    return port_request


@transaction.atomic
def complete_port_request(port_request: PortRequest, *, ported: list[str], note: str, by: Actor) -> PortRequest:
    """Completes the port; numbers not in ``ported`` stay with the old operator (a partial port)."""
    _lock(port_request)
    _refuse(port_request, S.COMPLETED)
    numbers = list(PortNumber.objects.filter(port_request=port_request))  # not a prefetch from before the lock
    known = {n.number for n in numbers}
    if not ported or not set(ported) <= known:
        raise ValidationError(_("Choose the numbers that were ported."))
    if not port_request.is_mobile and set(
        PhoneNumber.objects.unscoped().filter(number__in=ported).values_list("number", flat=True)
    ):
        raise ValidationError(_("Some of these numbers already belong to a company."))
    for number in numbers:
        if number.number in ported:
            number.status, number.note = PortNumber.Status.PORTED, ""
        else:
            number.status, number.note = PortNumber.Status.NOT_PORTED, note[:300]
    PortNumber.objects.bulk_update(numbers, ["status", "note"])
    if not port_request.is_mobile:
        # Mobile numbers live on their subscription; landline numbers become the company's numbers.
        PhoneNumber.objects.bulk_create(
            [
                PhoneNumber(
                    company=port_request.company,
                    number=n,
                    kind=PhoneNumber.Kind.LANDLINE,
                    status=PhoneNumber.Status.ACTIVE,
                    port_request=port_request,
                )
                for n in sorted(ported)
            ]
        )
    reason = (
        _("Ported")
        if len(ported) == len(numbers)
        else (
            _("Partly ported: %(ported)d of %(total)d numbers. %(note)s")
            % {"ported": len(ported), "total": len(numbers), "note": note}
        ).strip()
    )
    _transition(port_request, S.COMPLETED, reason=reason, by=by)
    sub = port_request.subscription
    if sub is not None and sub.status == Subscription.Status.PENDING_ACTIVE:
        activate_after_port(sub, port_request=port_request.reference, by=by)
    return port_request


@transaction.atomic
def add_port_comment(
    port_request: PortRequest, *, body: str, internal: bool, from_staff: bool, by: Actor
) -> PortComment:
    if not body.strip():
        raise ValidationError(_("Write a comment."))
    if internal and not from_staff:
        raise ValidationError(_("Only the operator's staff can write internal notes."))
    comment = PortComment.objects.create(
        port_request=port_request,
        author=by.user,
        author_label=by.display,
        from_staff=from_staff,
        is_internal=internal,
        body=body.strip(),
    )
    record(
        "numbers.port_commented",
        by=by,
        company=port_request.company,
        target=port_request,
        details={"internal": internal},
    )
    if not internal:
        enqueue(send_port_request_update, port_request.pk, None, comment.pk)
    return comment


# -- call flow ----------------------------------------------------------------------------------------------


def company_subscription_ids(company: Company) -> set[int]:
    return set(Subscription.objects.for_company(company).values_list("id", flat=True))


@transaction.atomic
def save_call_flow(
    *, company: Company, document: dict[str, Any], comment: str, by: Actor, rollback_of: CallFlowVersion | None = None
) -> CallFlowVersion:
    errors = flows.validate(document, subscription_ids=company_subscription_ids(company))
    if errors:
        raise ValidationError([ValidationError(e, code="invalid_call_flow") for e in errors])
    # Lock the company's versions so two saves cannot take the same number.
    list(CallFlowVersion.objects.for_company(company).select_for_update().values_list("id", flat=True))
    latest = CallFlowVersion.objects.for_company(company).aggregate(m=Max("version"))["m"] or 0
    version = CallFlowVersion.objects.create(
        company=company,
        version=latest + 1,
        document=document,
        comment=comment[:200],
        created_by=by.user,
    )
    details: dict[str, Any] = {"version": version.version}
    if rollback_of is not None:
        details["rollback_of"] = rollback_of.version
    record(
        "numbers.flow_rolled_back" if rollback_of else "numbers.flow_saved",
        by=by,
        company=company,
        target=version,
        details=details,
    )
    publish(CallFlowSaved(company_id=company.pk, version_id=version.pk, by=by))
    enqueue(provision_call_flow, version.pk)
    return version


def rollback_call_flow(*, company: Company, to: CallFlowVersion, by: Actor) -> CallFlowVersion:
    if to.company_id != company.pk:
        raise ValidationError(_("This version is not your company's."), code="foreign_version")
    return save_call_flow(
        company=company,
        document=to.document,
        by=by,
        rollback_of=to,
        comment=_("Rolled back to version %(version)d") % {"version": to.version},
    )
