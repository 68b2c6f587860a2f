from django.db.models import Count, Prefetch, Q, QuerySet

from companies.models import Company
from numbering import flows
from numbering.models import (
    CallFlowVersion,
    PhoneNumber,
    PortComment,
    PortEvent,
    PortNumber,
    PortRequest,
    ScheduledFlowChange,
)
from subscriptions.models import Subscription


def phone_numbers(*, company: Company | None) -> QuerySet[PhoneNumber]:
    return PhoneNumber.objects.for_company(company).select_related("port_request")


def mobile_subscriptions(*, company: Company | None) -> QuerySet[Subscription]:
    return (
        Subscription.objects.for_company(company)
        .exclude(phone_number="")
        .exclude(status__in=[Subscription.Status.TERMINATED, Subscription.Status.CANCELLED])
        .select_related("product")
        .order_by("phone_number")
    )


def numbers_porting_in(*, company: Company | None) -> QuerySet[PortNumber]:
    open_statuses = [
        PortRequest.Status.SUBMITTED,
        PortRequest.Status.PENDING,
        PortRequest.Status.SCHEDULED,
        PortRequest.Status.REJECTED,
        PortRequest.Status.DRAFT,
    ]
    return (
        (
            PortNumber.objects.filter(
                port_request__company=company,
                port_request__status__in=open_statuses,
                port_request__kind=PortRequest.Kind.LANDLINE,
            )
            .exclude(status__in=[PortNumber.Status.NOT_PORTED, PortNumber.Status.CANCELLED])
            .select_related("port_request")
            .order_by("number")
        )
        if company is not None
        else PortNumber.objects.none()
    )


def port_requests(*, company: Company | None) -> QuerySet[PortRequest]:
    return PortRequest.objects.for_company(company).annotate(
        number_count=Count("numbers"),
        ported_count=Count("numbers", filter=Q(numbers__status=PortNumber.Status.PORTED)),
    )


def open_port_request_count(*, company: Company | None) -> int:
    """Port requests in progress (submitted, not yet completed or cancelled), for the overview.

    A plain count: ``port_requests()``' per-request number counts would make it a grouped join of the numbers.
    """
    return (
        PortRequest.objects.for_company(company)
        .exclude(status__in=[PortRequest.Status.COMPLETED, PortRequest.Status.CANCELLED, PortRequest.Status.DRAFT])
        .count()
    )


def port_request_detail(*, company: Company | None, staff: bool = False) -> QuerySet[PortRequest]:
    comments = PortComment.objects.select_related("author")
    if not staff:
        comments = comments.filter(is_internal=False)
    queryset = PortRequest.objects.unscoped() if staff else PortRequest.objects.for_company(company)
    return queryset.select_related("company", "created_by", "signed_by", "subscription").prefetch_related(
        "numbers",
        Prefetch("events", queryset=PortEvent.objects.select_related("user")),
        Prefetch("comments", queryset=comments),
    )


def staff_queue(*, status: str | None = None) -> QuerySet[PortRequest]:
    """Cross-company on purpose: the operator's staff process every company's requests."""
    queryset = PortRequest.objects.unscoped().select_related("company").annotate(number_count=Count("numbers"))
    if status:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.exclude(
            status__in=[PortRequest.Status.DRAFT, PortRequest.Status.COMPLETED, PortRequest.Status.CANCELLED]
        )
    return queryset.order_by("desired_date", "id")


def flow_versions(*, company: Company | None) -> QuerySet[CallFlowVersion]:
    return CallFlowVersion.objects.for_company(company).select_related("created_by")


def active_flow(*, company: Company | None) -> CallFlowVersion | None:
    return flow_versions(company=company).order_by("-version").first()


def subscription_choices(*, company: Company | None) -> QuerySet[Subscription]:
    return (
        Subscription.objects.for_company(company)
        .exclude(status__in=[Subscription.Status.TERMINATED, Subscription.Status.CANCELLED])
        .order_by("user_name", "id")
    )


def scheduled_changes(*, company: Company | None, all_statuses: bool = False) -> QuerySet[ScheduledFlowChange]:
    """The company's scheduled flows, the next first (only the pending ones unless ``all_statuses``)."""
    queryset = ScheduledFlowChange.objects.for_company(company).select_related(
        "source_version", "result_version", "created_by"
    )
    if not all_statuses:
        queryset = queryset.filter(status=ScheduledFlowChange.Status.PENDING)
    return queryset.order_by("take_effect_at", "id")


def invalid_saved_flows() -> list[str]:
    """Every saved flow the rules refuse, one line each (``manage.py check_call_flows``): all versions by the
    rules alone, each company's latest version and pending scheduled changes with its subscriptions as well
    (an older version may ring someone who has left since: that is history, not a fault)."""
    out: list[str] = []
    latest: dict[int, int] = {}
    versions = CallFlowVersion.objects.unscoped().select_related("company").order_by("company_id", "version")
    for version in versions:
        latest[version.company_id] = version.pk
    ids_of: dict[int, set[int]] = {}
    for company_id, sub_id in Subscription.objects.unscoped().values_list("company_id", "id"):
        ids_of.setdefault(company_id, set()).add(sub_id)
    for version in versions:
        ids = ids_of.get(version.company_id, set()) if latest[version.company_id] == version.pk else None
        for message in flows.validate(version.document, subscription_ids=ids):
            out.append(f"{version.company.name}, version {version.version}: {message}")
    pending = ScheduledFlowChange.objects.unscoped().filter(status=ScheduledFlowChange.Status.PENDING)
    for change in pending.select_related("company"):
        for message in flows.validate(change.document, subscription_ids=ids_of.get(change.company_id, set())):
            out.append(f"{change.company.name}, change scheduled for {change.take_effect_at:%Y-%m-%d %H:%M}: {message}")
    return out
