"""schemathesis against the OpenAPI document, through Django's WSGI app, as two companies' clients.

Every operation gets generated valid and invalid input: no response may be a 5xx, and every
response must match the document (status code, content type, headers, body schema).
Two checks are left out: ``positive_data_acceptance`` (some schema-valid values are refused on purpose
with a 422: a ``phoneNumber`` that is not a phone number) and ``negative_data_rejection`` (it expects
unknown query parameters to be refused; the API ignores them, as most HTTP APIs do).
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS

from api.routes import api
from api.tests.factories import make_client
from invoicing.tests.factories import InvoiceFactory
from numbering.tests.factories import CallFlowVersionFactory, PhoneNumberFactory, PortRequestFactory
from products.tests.factories import ItemFactory, OrderFactory
from subscriptions.tests.factories import SubscriptionFactory
from tickets.tests.factories import TicketAttachmentFactory, TicketFactory, TicketMessageFactory

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/tmf-api/"))
schema.app = get_wsgi_application()


def auth_header(token):
    return {"Authorization": f"Bearer {token}"}


LEFT_OUT = {"positive_data_acceptance", "negative_data_rejection"}
CHECKED = [check for check in CHECKS.get_all() if check.__name__ not in LEFT_OUT]


@pytest.fixture
def wsgi_in_test_transaction():
    # Django's WSGI handler closes the database connection after each request (as the test client
    # avoids doing): on PostgreSQL that would end the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def keys(personas, settings, wsgi_in_test_transaction):
    settings.API_RATE_LIMIT = 100_000
    # schemathesis sends wrong keys on purpose (and expects 401); the 429 past the limit is tested in test_access.
    settings.API_FAILED_AUTH_LIMIT = 100_000
    settings.ALLOWED_HOSTS = ["*"]
    tokens = {}
    ItemFactory(code="sim-kort", kind="sim", stock=1000)
    for label, company in (("a", personas.company_a), ("b", personas.company_b)):
        for _ in range(3):
            SubscriptionFactory(company=company)
            TicketAttachmentFactory(ticket=TicketMessageFactory(ticket=TicketFactory(company=company)).ticket)
            InvoiceFactory(company=company)
            PhoneNumberFactory(company=company)
            PortRequestFactory(company=company)
        CallFlowVersionFactory(company=company)
        OrderFactory(company=company)
        tokens[label] = make_client(company)[1]
    return tokens


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("company", ["a", "b"])
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_to_its_document(case, keys, company):
    case.call_and_validate(headers=auth_header(keys[company]), checks=CHECKED)
