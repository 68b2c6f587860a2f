"""The customer API: one NinjaAPI under /tmf-api/, one router per TMF API."""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from api import bills, errors, hubs, orders, products, troubletickets
from api.models import WebhookHub

api = NinjaAPI(
    title="Self-service customer API",
    version="4.0.0",
    description=(
        "TM Forum Open API shaped access to a company's subscriptions (TMF637 product; cancel or change type with TMF622 productOrder) and support tickets "
        "(TMF621 troubleTicket) and invoices (TMF678 customerBill, with PDF, Peppol BIS 3 and OIOUBL documents). Authenticate with `Authorization: Bearer sskey_…` (an API client made by the "
        "company's admin in the portal). Errors are `{code, reason, message, status}`; lists take `offset`, "
        "`limit` (at most 100), `sort` and `fields=`, and answer `X-Total-Count` and `X-Result-Count`. "
        "Webhooks: `POST …/hub` registers a callback for the API's events, signed with HMAC-SHA256 (see docs/api.md)."
    ),
    urls_namespace="tmf-api",
    openapi_url="/openapi.json",
    # Swagger UI from the app's own static files (ninja's bundle), never a CDN: the CSP allows only 'self'.
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
)
errors.install(api)
api.add_router("/productInventory/v4/", products.router)
api.add_router("/productOrdering/v4/", orders.router)
api.add_router("/troubleTicket/v4/", troubletickets.router)
api.add_router("/customerBillManagement/v4/", bills.router)
# Webhooks: a TMF /hub on each API that sends events.
for _hub_api in WebhookHub.Api.values:
    api.add_router(f"/{_hub_api}/v4/", hubs.router_for(_hub_api))
