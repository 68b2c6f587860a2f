"""Reads on tickets, with their joins done so list pages cost a fixed number of queries."""

from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from companies.models import Company
from tickets.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketRead,
)

if TYPE_CHECKING:
    from accounts.models import User

STATE_FILTERS = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES}


def _search(tickets: QuerySet[Ticket], query: str) -> QuerySet[Ticket]:
    query = query.strip()
    if not query:
        return tickets
    return tickets.filter(Q(number__icontains=query) | Q(subject__icontains=query))


def company_tickets(*, company: Company | None, user: "User", state: str = "", query: str = "") -> QuerySet[Ticket]:
    """The company's tickets, newest activity first, with when this user last read each."""
    tickets: QuerySet[Ticket] = Ticket.objects.for_company(company)
    if state in STATE_FILTERS:
        tickets = tickets.filter(status__in=STATE_FILTERS[state])
    tickets = _search(tickets, query)
    last_read = TicketRead.objects.filter(ticket=OuterRef("pk"), user=user).values("read_at")[:1]
    return (
        tickets.annotate(read_at=Subquery(last_read))
        .only(
            "id",
            "number",
            "subject",
            "category",
            "status",
            "created_at",
            "last_activity_at",
            "last_staff_reply_at",
            "company_id",
        )
        .order_by("-last_activity_at", "-id")
    )


def has_unread_reply(ticket: Ticket) -> bool:
    read_at = getattr(ticket, "read_at", None)
    return ticket.last_staff_reply_at is not None and (read_at is None or ticket.last_staff_reply_at > read_at)


def customer_ticket_detail(*, company: Company | None) -> Any:
    """For ``get_for_company``: a ticket with what its detail page shows, never internal notes."""
    visible_attachments = TicketAttachment.objects.filter(is_internal=False)
    tickets = Ticket.objects.for_company(company).select_related(
        "related_subscription", "related_invoice", "related_port_request", "created_by"
    )
    return tickets.prefetch_related(  # type: ignore[type-var]
        Prefetch(
            "messages",
            queryset=TicketMessage.objects.filter(is_internal=False).prefetch_related(
                Prefetch("attachments", queryset=visible_attachments)
            ),
            to_attr="visible_messages",
        ),
        Prefetch(
            "attachments", queryset=visible_attachments.filter(message__isnull=True), to_attr="ticket_attachments"
        ),
        "status_changes",
    )


def customer_attachments(*, company: Company | None) -> QuerySet[TicketAttachment]:
    return TicketAttachment.objects.for_company(company).filter(is_internal=False)


def customer_messages(*, company: Company | None) -> QuerySet[TicketMessage]:
    return TicketMessage.objects.for_company(company).filter(is_internal=False)


# Staff: deliberately across all companies.


def staff_queue(
    *,
    status: str = "",
    category: str = "",
    company_id: int | None = None,
    assignee: str = "",
    query: str = "",
    staff_user: "User | None" = None,
) -> QuerySet[Ticket]:
    tickets: QuerySet[Ticket] = Ticket.objects.unscoped()
    if status == "open":
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    elif status:
        tickets = tickets.filter(status=status)
    if category:
        tickets = tickets.filter(category=category)
    if company_id:
        tickets = tickets.filter(company_id=company_id)
    if assignee == "me":
        tickets = tickets.filter(assignee=staff_user)
    elif assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee.isdigit():
        tickets = tickets.filter(assignee_id=int(assignee))
    tickets = _search(tickets, query)
    return tickets.select_related("company", "assignee").order_by("-last_activity_at", "-id")


def staff_ticket_detail() -> Any:
    tickets = Ticket.objects.unscoped().select_related(
        "company", "related_subscription", "related_invoice", "related_port_request", "created_by", "assignee"
    )
    return tickets.prefetch_related(  # type: ignore[type-var]
        Prefetch("messages", queryset=TicketMessage.objects.prefetch_related("attachments"), to_attr="all_messages"),
        Prefetch(
            "attachments", queryset=TicketAttachment.objects.filter(message__isnull=True), to_attr="ticket_attachments"
        ),
        "status_changes",
    )
