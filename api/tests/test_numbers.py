"""The Numbers area over the API: numbers, port requests (the portal's form and rules) and the call flow."""

import datetime

import pytest

from audit.actor import Actor
from audit.models import AuditEvent
from numbering import actions
from numbering.models import CallFlowVersion, PortRequest
from numbering.porting import earliest_porting_date, next_working_day
from numbering.tests.factories import PhoneNumberFactory, PortRequestFactory, flow_document
from subscriptions.tests.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db

BASE = "/tmf-api/numbering/v4"
STAFF = Actor.system("test staff")


def _day():
    return next_working_day(earliest_porting_date() + datetime.timedelta(days=6))


def port(**extra):
    return {
        "numbers": ["33 12 34 56", "33 12 34 57"],
        "currentOperator": "telia",
        "customerNumber": "TL-1234",
        "desiredDate": _day().isoformat(),
        "notificationEmails": ["it@alfa.dk"],
        "signedName": "Anne Admin",
        "consent": True,
        **extra,
    }


def test_it_lists_only_the_companys_numbers(personas, api_a):
    mine = PhoneNumberFactory(company=personas.company_a, number="+4533112233", label="Reception")
    PhoneNumberFactory(company=personas.company_b)
    response = api_a.get(f"{BASE}/phoneNumber")
    assert [(n["id"], n["number"], n["label"]) for n in response.json()] == [(str(mine.pk), "+4533112233", "Reception")]
    assert response["X-Total-Count"] == "1"


def test_it_creates_a_port_request_as_the_portal_does_and_follows_it(personas, api_a):
    response = api_a.post(f"{BASE}/portRequest", port())
    assert response.status_code == 201, response.content
    body = response.json()
    request = PortRequest.objects.for_company(personas.company_a).get()
    assert body["name"] == request.reference
    assert body["status"] == "submitted"
    assert [n["number"] for n in body["numbers"]] == ["+4533123456", "+4533123457"]
    # The holder defaults to the company, as the portal's form fills it in.
    assert (request.holder_name, request.cvr, request.signed_name) == (
        personas.company_a.name,
        personas.company_a.cvr,
        "Anne Admin",
    )
    assert request.signed_by == api_a.client.user
    event = AuditEvent.objects.for_company(personas.company_a).get(action="numbers.port_created")
    assert event.actor == api_a.client.user
    actions.reject_port_request(request, reason="Forkert kundenummer", by=STAFF)
    followed = api_a.get(body["href"]).json()
    assert (followed["status"], followed["statusChangeReason"]) == ("rejected", "Forkert kundenummer")
    assert [c["status"] for c in followed["statusChange"]] == ["draft", "submitted", "rejected"]


def test_a_draft_is_kept_unsubmitted(personas, api_a):
    assert api_a.post(f"{BASE}/portRequest", port(submit=False)).json()["status"] == "draft"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"numbers": ["123"]}, "numbers"),
        ({"desiredDate": datetime.date.today().isoformat()}, "desiredDate"),
        ({"consent": False}, "consent"),
        ({"signedName": " "}, "signedName"),
        ({"cvr": "12345678"}, "cvr"),
        ({"currentOperator": "ukendt"}, "currentOperator"),
        ({"notificationEmails": ["ikke-en-adresse"]}, "notificationEmails"),
        ({"customerNumber": ""}, "customerNumber"),
    ],
)
def test_it_refuses_what_the_portals_form_refuses(personas, api_a, extra, field):
    response = api_a.post(f"{BASE}/portRequest", port(**extra))
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not PortRequest.objects.for_company(personas.company_a).exists()


def test_numbers_in_another_open_request_are_refused(personas, api_a, api_b):
    assert api_b.post(f"{BASE}/portRequest", port()).status_code == 201
    response = api_a.post(f"{BASE}/portRequest", port())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "numbers"


def test_a_retried_port_request_with_its_key_is_one_request(personas, api_a):
    first = api_a.post(f"{BASE}/portRequest", port(), HTTP_IDEMPOTENCY_KEY="port-2026-12")
    again = api_a.post(f"{BASE}/portRequest", port(), HTTP_IDEMPOTENCY_KEY="port-2026-12")
    assert first.json() == again.json()
    assert PortRequest.objects.for_company(personas.company_a).count() == 1


def test_another_companys_port_request_is_not_found(personas, api_a):
    theirs = PortRequestFactory(company=personas.company_b)
    assert api_a.get(f"{BASE}/portRequest/{theirs.pk}").status_code == 404
    assert api_a.get(f"{BASE}/portRequest").json() == []


def test_the_call_flow_is_the_default_until_a_version_is_saved(personas, api_a):
    flow = api_a.get(f"{BASE}/callFlow").json()
    assert (flow["version"], flow["isDefault"]) == (0, True)
    document = flow_document([SubscriptionFactory(company=personas.company_a).pk])
    response = api_a.post(f"{BASE}/callFlow", {"comment": "Ny menu", "document": document})
    assert response.status_code == 201, response.content
    saved = CallFlowVersion.objects.for_company(personas.company_a).get()
    assert (saved.version, saved.document, saved.created_by) == (1, document, api_a.client.user)
    flow = api_a.get(f"{BASE}/callFlow").json()
    assert (flow["version"], flow["isDefault"], flow["document"]) == (1, False, document)
    event = AuditEvent.objects.for_company(personas.company_a).get(action="numbers.flow_saved")
    assert event.actor == api_a.client.user


def test_a_call_flow_is_validated_as_in_the_editor(personas, api_a):
    theirs = SubscriptionFactory(company=personas.company_b)
    response = api_a.post(f"{BASE}/callFlow", {"document": flow_document([theirs.pk])})
    assert response.status_code == 422
    # The step is named by the name the admin gave it ("Salg"), as in the designer.
    assert response.json()["errors"] == [
        {"field": "document", "message": "Ring group “Salg” rings a subscription that is not your company's."}
    ]
    broken = flow_document([SubscriptionFactory(company=personas.company_a).pk])
    broken["routes"]["open"] = "nowhere"
    assert api_a.post(f"{BASE}/callFlow", {"document": broken}).status_code == 422
    shape = {**broken, "hours": "always"}
    response = api_a.post(f"{BASE}/callFlow", {"document": shape})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "document.hours"
    assert not CallFlowVersion.objects.for_company(personas.company_a).exists()


def test_the_port_request_list_costs_the_same_queries_for_1_and_6_requests(personas, api_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert api_a.get(f"{BASE}/portRequest", {"limit": 100}).status_code == 200
        return len(captured)

    PortRequestFactory(company=personas.company_a)
    api_a.get(f"{BASE}/portRequest")  # the client's first call also records when it was last used
    small = queries()
    for n in range(5):
        PortRequestFactory(company=personas.company_a, numbers=[f"+458611{n:04d}", f"+458622{n:04d}"])
    assert len(api_a.get(f"{BASE}/portRequest").json()) == 6
    assert queries() == small
    # key, count, page, the pages' numbers
    assert small == 4
