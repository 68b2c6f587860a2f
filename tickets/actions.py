"""Writes on tickets. Each is atomic, validates, records one audit event and
queues its e-mails once the transaction has committed."""

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actor import Actor
from audit.events import record
from companies.models import Company
from invoicing.models import Invoice
from jobs.queue import enqueue
from numbering.models import PortRequest
from registry.events import publish
from subscriptions.models import Subscription
from tickets import tasks
from tickets.events import TicketStaffReplied, TicketStatusChanged
from tickets.files import Kind, safe_name
from tickets.models import (
    FINAL_STATUSES,
    REASON_REQUIRED,
    TRANSITIONS,
    Category,
    Priority,
    Status,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketNumberSequence,
    TicketRead,
    TicketStatusChange,
)

if TYPE_CHECKING:
    from accounts.models import User

Upload = tuple[UploadedFile, Kind]


def _display(by: Actor) -> str:
    user = by.user
    if user is None:
        return by.display
    return user.get_full_name() or user.email


def _notify(ticket: Ticket, event: str, message: TicketMessage | None = None) -> None:
    ticket_id, message_id = ticket.pk, message.pk if message else None
    enqueue(tasks.send_ticket_email, ticket_id=ticket_id, event=event, message_id=message_id)


def _save_attachments(
    ticket: Ticket, message: TicketMessage | None, uploads: Sequence[Upload], *, by: Actor, internal: bool = False
) -> list[TicketAttachment]:
    saved = []
    for upload, kind in uploads:
        name = safe_name(upload.name or "", kind)
        attachment = TicketAttachment(
            company=ticket.company,
            ticket=ticket,
            message=message,
            original_name=name,
            content_type=kind.content_type,
            size=upload.size or 0,
            is_internal=internal,
            uploaded_by=by.user,
        )
        upload.seek(0)
        attachment.file.save(name, upload, save=False)
        attachment.save()
        saved.append(attachment)
    return saved


def _set_status(ticket: Ticket, to_status: str, *, reason: str, by: Actor, by_staff: bool) -> TicketStatusChange:
    now = timezone.now()
    change = TicketStatusChange.objects.create(
        ticket=ticket,
        from_status=ticket.status,
        to_status=to_status,
        reason=reason,
        changed_by=by.user,
        by_staff=by_staff,
        created_at=now,
    )
    ticket.status = to_status
    ticket.status_changed_at = now
    ticket.status_reason = reason
    ticket.last_activity_at = now
    return change


def _tell_status(ticket: Ticket, change: TicketStatusChange | None) -> None:
    # After the ticket is saved: the areas above (the API's webhooks) read it in this transaction.
    if change is not None:
        publish(
            TicketStatusChanged(
                company_id=ticket.company_id,
                ticket_id=ticket.pk,
                from_status=change.from_status,
                to_status=change.to_status,
            )
        )


def _earlier_submission(by: Actor, submission_token: uuid.UUID | None) -> Ticket | None:
    """The ticket a first submission of the same form (same user, same token) created, if any."""
    if submission_token is None or by.user is None:
        return None
    return Ticket.objects.unscoped().filter(created_by=by.user, submission_token=submission_token).first()


def _check_related(
    company: Company,
    subscription: Subscription | None,
    invoice: Invoice | None,
    port_request: PortRequest | None,
) -> None:
    """A ticket refers only to its own company's subscription, invoice and port request."""
    for related, message, code in (
        (subscription, _("The subscription does not belong to this company."), "foreign_subscription"),
        (invoice, _("The invoice does not belong to this company."), "foreign_invoice"),
        (port_request, _("The port request does not belong to this company."), "foreign_port_request"),
    ):
        if related is not None and related.company_id != company.pk:
            raise ValidationError(message, code=code)


@transaction.atomic
def create_ticket(
    *,
    company: Company,
    subject: str,
    description: str,
    category: str,
    priority: str = Priority.NORMAL,
    related_subscription: Subscription | None = None,
    related_invoice: Invoice | None = None,
    related_port_request: PortRequest | None = None,
    related_reference: str = "",
    attachments: Sequence[Upload] = (),
    submission_token: uuid.UUID | None = None,
    by: Actor,
) -> tuple[Ticket, bool]:
    """Creates a ticket; returns (ticket, created). A repeated submission token
    returns the ticket the first submission made instead of a second one."""
    earlier = _earlier_submission(by, submission_token)
    if earlier is not None:
        return earlier, False
    _check_related(company, related_subscription, related_invoice, related_port_request)
    if category not in Category.values:
        raise ValidationError(_("Choose a category."), code="invalid_category")
    now = timezone.now()
    ticket = Ticket(
        company=company,
        number=TicketNumberSequence.next_number(timezone.localdate(now).year),
        subject=subject.strip(),
        description=description.strip(),
        category=category,
        priority=priority,
        related_subscription=related_subscription,
        related_reference=related_reference.strip(),
        related_invoice=related_invoice,
        related_port_request=related_port_request,
        created_by=by.user,
        created_at=now,
        last_activity_at=now,
        status_changed_at=now,
        submission_token=submission_token,
    )
    ticket.full_clean(
        exclude=["company", "created_by", "related_subscription", "related_invoice", "related_port_request", "assignee"]
    )
    try:
        with transaction.atomic():
            ticket.save()
    except IntegrityError:
        # Two identical submissions raced; the first one won.
        existing = _earlier_submission(by, submission_token)
        if existing is None:
            raise
        return existing, False
    TicketStatusChange.objects.create(
        ticket=ticket, from_status="", to_status=Status.NEW, changed_by=by.user, created_at=now
    )
    _save_attachments(ticket, None, attachments, by=by)
    record(
        "ticket.created",
        by=by,
        company=company,
        target=ticket,
        details={
            "number": ticket.number,
            "category": category,
            "invoice": related_invoice.number if related_invoice else None,
            "port_request": related_port_request.reference if related_port_request else None,
        },
    )
    _notify(ticket, "created")
    return ticket, True


@transaction.atomic
def reply_as_customer(ticket: Ticket, *, body: str, attachments: Sequence[Upload] = (), by: Actor) -> TicketMessage:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, company_id=ticket.company_id)
    if not ticket.customer_may_reply:
        raise ValidationError(
            _("This ticket is %(status)s and cannot get new replies. Please create a new ticket.")
            % {"status": ticket.get_status_display().lower()}
        )
    body = body.strip()
    if not body:
        raise ValidationError(_("Write a message."))
    now = timezone.now()
    message = TicketMessage.objects.create(
        company=ticket.company, ticket=ticket, author=by.user, author_name=_display(by), body=body, created_at=now
    )
    _save_attachments(ticket, message, attachments, by=by)
    fields = ["last_activity_at"]
    change = None
    if ticket.status == Status.PENDING:
        # The customer answered what we were waiting for.
        change = _set_status(ticket, Status.IN_PROGRESS, reason="", by=by, by_staff=False)
        fields += ["status", "status_changed_at", "status_reason"]
    ticket.last_activity_at = now
    ticket.save(update_fields=fields)
    _tell_status(ticket, change)
    TicketRead.objects.update_or_create(user=by.user, ticket=ticket, defaults={"read_at": now})
    record("ticket.replied", by=by, company=ticket.company, target=ticket, details={"message": message.pk})
    _notify(ticket, "customer_reply", message)
    return message


@transaction.atomic
def add_attachments(ticket: Ticket, *, attachments: Sequence[Upload], by: Actor) -> list[TicketAttachment]:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, company_id=ticket.company_id)
    if ticket.is_final:
        raise ValidationError(_("Files cannot be added to a closed ticket."))
    if not attachments:
        raise ValidationError(_("Choose at least one file."))
    saved = _save_attachments(ticket, None, attachments, by=by)
    ticket.last_activity_at = timezone.now()
    ticket.save(update_fields=["last_activity_at"])
    record(
        "ticket.attached",
        by=by,
        company=ticket.company,
        target=ticket,
        details={"files": [a.original_name for a in saved]},
    )
    return saved


@transaction.atomic
def close_ticket(ticket: Ticket, *, by: Actor) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, company_id=ticket.company_id)
    if not ticket.customer_may_close:
        raise ValidationError(_("This ticket is already %(status)s.") % {"status": ticket.get_status_display().lower()})
    change = _set_status(ticket, Status.CLOSED, reason=_("Closed by the customer"), by=by, by_staff=False)
    ticket.save(update_fields=["status", "status_changed_at", "status_reason", "last_activity_at"])
    _tell_status(ticket, change)
    record("ticket.closed", by=by, company=ticket.company, target=ticket, details={"from": change.from_status})
    _notify(ticket, "customer_status")
    return ticket


@transaction.atomic
def reopen_ticket(ticket: Ticket, *, reason: str = "", by: Actor) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, company_id=ticket.company_id)
    if not ticket.customer_may_reopen:
        raise ValidationError(
            _("Only a resolved ticket can be reopened; this one is %(status)s.")
            % {"status": ticket.get_status_display().lower()}
        )
    change = _set_status(
        ticket, Status.IN_PROGRESS, reason=reason.strip() or _("Reopened by the customer"), by=by, by_staff=False
    )
    ticket.save(update_fields=["status", "status_changed_at", "status_reason", "last_activity_at"])
    _tell_status(ticket, change)
    record("ticket.reopened", by=by, company=ticket.company, target=ticket, details={})
    _notify(ticket, "customer_status")
    return ticket


def mark_read(ticket: Ticket, *, user: "User") -> None:
    TicketRead.objects.update_or_create(user=user, ticket=ticket, defaults={"read_at": timezone.now()})


# Staff side -------------------------------------------------------------


@transaction.atomic
def reply_as_staff(
    ticket: Ticket, *, body: str, internal: bool = False, attachments: Sequence[Upload] = (), by: Actor
) -> TicketMessage:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, company_id=ticket.company_id)
    body = body.strip()
    if not body:
        raise ValidationError(_("Write a message."))
    if ticket.is_final and not internal:
        raise ValidationError(
            _("This ticket is %(status)s; reopen it before replying to the customer, or add an internal note.")
            % {"status": ticket.get_status_display().lower()}
        )
    now = timezone.now()
    message = TicketMessage.objects.create(
        company=ticket.company,
        ticket=ticket,
        author=by.user,
        author_name=_display(by),
        from_staff=True,
        is_internal=internal,
        body=body,
        created_at=now,
    )
    _save_attachments(ticket, message, attachments, by=by, internal=internal)
    if not internal:
        ticket.last_activity_at = ticket.last_staff_reply_at = now
        fields = ["last_activity_at", "last_staff_reply_at"]
        change = None
        if ticket.status in (Status.NEW, Status.ACKNOWLEDGED):
            change = _set_status(ticket, Status.IN_PROGRESS, reason="", by=by, by_staff=True)
            fields += ["status", "status_changed_at", "status_reason"]
        ticket.save(update_fields=fields)
        publish(TicketStaffReplied(company_id=ticket.company_id, ticket_id=ticket.pk, message_id=message.pk))
        _tell_status(ticket, change)
    record(
        "ticket.note_added" if internal else "ticket.staff_replied",
        by=by,
        company=ticket.company,
        target=ticket,
        details={"message": message.pk},
    )
    if not internal:
        _notify(ticket, "staff_reply", message)
    return message


@transaction.atomic
def assign_ticket(ticket: Ticket, *, assignee: "User | None", by: Actor) -> Ticket:
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, company_id=ticket.company_id)
    if assignee is not None and not assignee.is_staff:
        raise ValidationError(_("Tickets can only be assigned to operator staff."))
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee"])
    record(
        "ticket.assigned",
        by=by,
        company=ticket.company,
        target=ticket,
        details={"assignee": assignee.email if assignee else None},
    )
    return ticket


def transition_error(from_status: str, to_status: str) -> str | None:
    """Why a staff status change is not allowed, or None when it is."""
    if to_status not in Status.values:
        return _("Unknown status.")
    if from_status == to_status:
        return _("The ticket is already %(status)s.") % {"status": Status(to_status).label.lower()}
    allowed = TRANSITIONS[from_status]
    if to_status in allowed:
        return None
    if from_status in FINAL_STATUSES:
        return _("%(from)s is a final status: a ticket that is %(from_lower)s cannot change status any more.") % {
            "from": Status(from_status).label,
            "from_lower": Status(from_status).label.lower(),
        }
    return _("A ticket cannot go from %(from)s to %(to)s. From %(from)s it can go to: %(allowed)s.") % {
        "from": Status(from_status).label,
        "to": Status(to_status).label,
        "allowed": ", ".join(str(Status(s).label) for s in allowed),
    }


@transaction.atomic
def change_status(ticket: Ticket, *, to_status: str, reason: str = "", seen_status: str = "", by: Actor) -> Ticket:
    """A staff status change. ``seen_status``: the status the staff member's page showed.

    The row lock serialises two staff changing one ticket; the second finds the status changed
    and is told by whom, instead of silently overwriting the first change.
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk, company_id=ticket.company_id)
    if seen_status and ticket.status != seen_status:
        last = ticket.status_changes.select_related("changed_by").order_by("-created_at", "-id").first()
        who = last.changed_by.email if last is not None and last.changed_by is not None else _("someone else")
        raise ValidationError(
            _(
                "Someone else changed this ticket meanwhile: %(who)s set it to %(status)s. Nothing was changed; "
                "check the ticket and try again."
            )
            % {"who": who, "status": ticket.get_status_display().lower()},
            code="changed",
        )
    error = transition_error(ticket.status, to_status)
    if error:
        raise ValidationError(error, code="transition")
    reason = reason.strip()
    if to_status in REASON_REQUIRED and not reason:
        raise ValidationError(
            _("Give a reason when the status is %(status)s; the customer sees it.")
            % {"status": Status(to_status).label.lower()},
            code="reason",
        )
    change = _set_status(ticket, to_status, reason=reason, by=by, by_staff=True)
    ticket.save(update_fields=["status", "status_changed_at", "status_reason", "last_activity_at"])
    _tell_status(ticket, change)
    record(
        "ticket.status_changed",
        by=by,
        company=ticket.company,
        target=ticket,
        details={"from": change.from_status, "to": to_status, "reason": reason},
    )
    _notify(ticket, "staff_status")
    return ticket
