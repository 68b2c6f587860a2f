from django.db.models import Prefetch, QuerySet

from api.models import APIClient, WebhookDelivery, WebhookHub
from companies.models import Company


def company_clients(*, company: Company | None) -> QuerySet[APIClient]:
    return APIClient.objects.for_company(company).select_related("created_by")


def company_clients_with_hubs(*, company: Company | None) -> QuerySet[APIClient]:
    """The clients with their listening hubs (one query more, whatever the number of clients)."""
    hubs = WebhookHub.objects.filter(deleted_at__isnull=True).order_by("created_at", "id")
    return company_clients(company=company).prefetch_related(Prefetch("hubs", queryset=hubs, to_attr="active_hubs"))


def company_hubs(*, company: Company | None) -> QuerySet[WebhookHub]:
    return WebhookHub.objects.for_company(company).select_related("client")


def hub_deliveries(*, hub: WebhookHub) -> QuerySet[WebhookDelivery]:
    """A hub's deliveries, newest first, each with its event and attempts (a fixed number of queries a page)."""
    return (
        WebhookDelivery.objects.filter(company_id=hub.company_id, hub=hub)
        .select_related("event")
        .prefetch_related("attempt_log")
        .order_by("-created_at", "-id")
    )


def company_deliveries(*, company: Company | None) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.for_company(company).select_related("hub")
