"""The customer API: one NinjaAPI under /tmf-api/, one router per TMF API."""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from api import (
    billingrates,
    bills,
    errors,
    hardwareorders,
    hubs,
    numbers,
    orders,
    products,
    ticketattachments,
    troubletickets,
)
from api.models import WebhookHub

api = NinjaAPI(
    title="Self-service customer API",
    version="4.0.0",
    description=(
        "TM Forum Open API shaped access to a company's subscriptions (TMF637 product; new subscriptions, cancel or change type with TMF622 productOrder) and support tickets "
        "(TMF621 troubleTicket, with notes and attachments), invoices (TMF678 customerBill with PDF, Peppol BIS 3 and OIOUBL documents, and their lines per user as appliedCustomerBillingRate) "
        "and numbers (phoneNumber, portRequest, callFlow), and orders of SIM cards, eSIMs and hardware from the catalogue "
        "(TMF622 productOrder and cancelProductOrder, the catalogue as productOffering, under hardwareOrdering/v4). Authenticate with `Authorization: Bearer sskey_…` (an API client made by the "
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
api.add_router("/troubleTicket/v4/", ticketattachments.router)
api.add_router("/customerBillManagement/v4/", bills.router)
# Webhooks: a TMF /hub on each API that sends events.
for _hub_api in WebhookHub.Api.values:
    api.add_router(f"/{_hub_api}/v4/", hubs.router_for(_hub_api))
api.add_router("/customerBillManagement/v4/", billingrates.router)
api.add_router("/numbering/v4/", numbers.router)
api.add_router("/hardwareOrdering/v4/", hardwareorders.router)
