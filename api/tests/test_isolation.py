"""Walks every operation of the OpenAPI document, as the portal's walker walks its URLs.

A new operation is covered without editing the tests; it only needs its path parameters in
PATH_PARAMS, a valid body in BODIES (for writes) and its API's area in AREAS.
"""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from api.models import WebhookHub
from api.routes import api
from api.tests.factories import make_hub
from invoicing.tests.factories import InvoiceFactory
from numbering.porting import earliest_porting_date, next_working_day
from numbering.tests.factories import PhoneNumberFactory, PortRequestFactory, flow_document
from products.tests.factories import ItemFactory, OrderFactory
from registry.areas import registry
from subscriptions.tests.factories import SubscriptionFactory
from tickets.tests.factories import PDF_BYTES, TicketAttachmentFactory, TicketFactory

pytestmark = pytest.mark.django_db

PATH_PARAMS = {
    "product_id": lambda company: SubscriptionFactory(company=company).pk,
    "ticket_id": lambda company: TicketFactory(company=company).pk,
    "bill_id": lambda company: InvoiceFactory(company=company).pk,
    "order_id": lambda company: _order(company),
    "rate_id": lambda company: InvoiceFactory(company=company).lines.first().pk,
    "number_id": lambda company: PhoneNumberFactory(company=company).pk,
    "port_id": lambda company: PortRequestFactory(company=company).pk,
    "attachment_id": lambda company: TicketAttachmentFactory(ticket=TicketFactory(company=company)).pk,
    "hardware_order_id": lambda company: OrderFactory(company=company).pk,
    "cancel_id": lambda company: OrderFactory(company=company, state="cancelled").pk,
    "offering_id": lambda company: ItemFactory().code,
}
# The operator's catalogue is shared by every company: the same item reads alike for all.
SHARED = {"retrieveProductOffering"}
BODIES = {
    "patchProduct": {"productCharacteristic": [{"name": "costCentre", "value": "Lager"}]},
    "createTroubleTicket": {"name": "Hjælp", "description": "Den virker ikke", "ticketType": "other"},
    "createTroubleTicketNote": {"text": "Tak"},
    **{f"register{api[0].upper()}{api[1:]}Listener": {"callback": "https://127.0.0.1/hook"} for api in WebhookHub.Api},
    **{f"unregister{api[0].upper()}{api[1:]}Listener": {} for api in WebhookHub.Api},
    **{f"rotate{api[0].upper()}{api[1:]}ListenerSecret": {} for api in WebhookHub.Api},
    "createPortRequest": {
        "numbers": ["33 12 34 56"],
        "currentOperator": "telia",
        "customerNumber": "TL-1",
        "desiredDate": "NEXT_PORTING_DATE",
        "notificationEmails": ["it@alfa.dk"],
        "signedName": "Anne Admin",
        "consent": True,
    },
    "createTroubleTicketAttachment": "A_PDF",
    "createCallFlow": {"comment": "Fra API", "document": "VALID_FLOW"},
    "patchPortRequest": {"status": "cancelled", "statusChangeReason": "Fortrudt"},
    "createHardwareProductOrder": {"productOrderItem": [{"action": "add", "productOffering": {"id": "FOR_SALE"}}]},
    "createCancelProductOrder": {"productOrder": {"id": "OWN_HARDWARE_ORDER"}},
    "createProductOrder": {
        "description": "Stoppet",
        "productOrderItem": [{"action": "delete", "product": {"id": "OWN_PRODUCT"}}],
    },
}
AREAS = {
    "/tmf-api/productInventory/": "subscriptions",
    "/tmf-api/productOrdering/": "subscriptions",
    "/tmf-api/troubleTicket/": "tickets",
    "/tmf-api/customerBillManagement/": "invoice",
    "/tmf-api/numbering/": "numbers",
    "/tmf-api/hardwareOrdering/": "products",
}
# The DELETE of a hub answers 204 No Content.
OK = (200, 201, 204)
DOCUMENT = api.get_openapi_schema(path_prefix="/tmf-api/")
OPERATIONS = [
    (method, path, op["operationId"])
    for path, item in DOCUMENT["paths"].items()
    for method, op in item.items()
    if method in ("get", "post", "patch", "put", "delete")
]
OBJECT_OPERATIONS = [o for o in OPERATIONS if "{" in o[1] and o[2] not in SHARED]
WRITES = [o for o in OPERATIONS if o[0] != "get"]


def _order(company):
    from api.models import ProductOrder
    from api.tests.factories import make_client

    sub = SubscriptionFactory(company=company)
    return ProductOrder.objects.create(
        company=company,
        client=make_client(company)[0],
        action="delete",
        subscription=sub,
        effective_date=sub.start_date,
    ).pk


def _body(operation_id, company):
    # A body naming a product names one of the caller's company: the refusals tested are the policy's.
    body = BODIES.get(operation_id)
    if body and "OWN_PRODUCT" in str(body):
        own = str(SubscriptionFactory(company=company).pk)
        body = {**body, "productOrderItem": [{**body["productOrderItem"][0], "product": {"id": own}}]}
    if body and "FOR_SALE" in str(body):
        item = {**body["productOrderItem"][0], "productOffering": {"id": ItemFactory().code}}
        body = {**body, "productOrderItem": [item]}
    if body and "OWN_HARDWARE_ORDER" in str(body):
        body = {**body, "productOrder": {"id": str(OrderFactory(company=company).pk)}}
    if body == "A_PDF":
        return {"file": SimpleUploadedFile("faktura.pdf", PDF_BYTES, content_type="application/pdf")}
    if body and body.get("desiredDate") == "NEXT_PORTING_DATE":
        day = next_working_day(earliest_porting_date() + datetime.timedelta(days=6))
        body = {**body, "desiredDate": day.isoformat()}
    if body and body.get("document") == "VALID_FLOW":
        body = {**body, "document": flow_document([SubscriptionFactory(company=company).pk])}
    return body


def _area(path):
    areas = [area for prefix, area in AREAS.items() if path.startswith(prefix)]
    assert len(areas) == 1, f"{path}: add its API's area to AREAS"
    return areas[0]


def _hub(company, path):
    # A hub belongs to one API: the one whose path it is read under.
    api_name = path.split("/")[2]
    return make_hub(company, api=api_name)[0].pk


def _param(name, company, path):
    return _hub(company, path) if name == "hub_id" else PATH_PARAMS[name](company)


def _url(path, company):
    names = re.findall(r"{(\w+)}", path)
    missing = [n for n in names if n not in PATH_PARAMS and n != "hub_id"]
    assert not missing, f"{path}: add PATH_PARAMS for {missing}"
    return re.sub(r"{(\w+)}", lambda m: str(_param(m.group(1), company, path)), path)


def _call(caller, method, path, operation_id, company):
    if method != "get":
        assert operation_id in BODIES, f"{operation_id}: add a valid body to BODIES"
    return caller.request(method, _url(path, company), _body(operation_id, caller.client.company))


def _ids(operation):
    return f"{operation[0].upper()} {operation[1]}"


def test_it_finds_the_operations():
    assert {"listProduct", "retrieveProduct", "patchProduct", "listTroubleTicket", "createTroubleTicket"} <= {
        o[2] for o in OPERATIONS
    }


@pytest.mark.parametrize("operation", OPERATIONS, ids=_ids)
def test_the_bodies_are_valid_so_the_refusals_below_mean_something(operation, personas, api_a):
    response = _call(api_a, *operation, personas.company_a)
    assert response.status_code in OK, response.content


@pytest.mark.parametrize("operation", OBJECT_OPERATIONS, ids=_ids)
def test_it_answers_404_for_another_companys_ids(operation, personas, api_a):
    response = _call(api_a, *operation, personas.company_b)
    assert response.status_code == 404
    assert response.json()["status"] == "404"


@pytest.mark.parametrize("operation", OPERATIONS, ids=_ids)
def test_it_answers_403_without_the_area_grant(operation, personas, caller):
    others = [key for key in registry.keys() if key != _area(operation[1])]
    client = caller(personas.company_a, areas=others)
    response = _call(client, *operation, personas.company_a)
    assert response.status_code == 403
    assert response.json()["code"] == "no_grant"


@pytest.mark.parametrize("operation", WRITES, ids=_ids)
def test_it_refuses_writes_from_read_only_clients(operation, personas, readonly_api_a):
    response = _call(readonly_api_a, *operation, personas.company_a)
    assert response.status_code == 403
    assert response.json()["code"] == "read_only"


@pytest.mark.parametrize("operation", OPERATIONS, ids=_ids)
def test_it_answers_401_without_a_key(operation, personas):
    method, path, _operation_id = operation
    response = getattr(Client(), method)(_url(path, personas.company_a), content_type="application/json")
    assert response.status_code == 401
