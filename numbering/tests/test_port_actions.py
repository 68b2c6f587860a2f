import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from numbering import actions
from numbering.models import PhoneNumber, PortNumber, PortRequest
from numbering.porting import earliest_porting_date
from numbering.tests.conftest import PDF
from numbering.tests.factories import PhoneNumberFactory, PortRequestFactory

pytestmark = pytest.mark.django_db
S = PortRequest.Status


def details(company, **overrides):
    return {
        "current_operator": "telia",
        "customer_number": "TL-1",
        "holder_name": company.name,
        "holder_street": "Vestergade 1",
        "holder_postcode": "8000",
        "holder_city": "Aarhus C",
        "cvr": company.cvr,
        "desired_date": earliest_porting_date(),
        "notification_emails": "it@alfa.dk, cfo@alfa.dk",
        "notification_language": "da",
        **overrides,
    }


def signed():
    return {"method": "signed", "name": "Anne Admin", "consent": True}


def test_it_creates_and_submits_a_request_and_records_the_signature(
    personas, actor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        port = actions.create_port_request(
            company=personas.company_a,
            details=details(personas.company_a),
            numbers=["+4533123456", "+4533123457"],
            authorisation=signed(),
            submit=True,
            by=actor,
        )
    port.refresh_from_db()
    assert port.status == S.SUBMITTED
    assert port.signed_name == "Anne Admin"
    assert port.signed_by == personas.admin_a
    assert port.signed_ip == "192.0.2.10"
    assert port.signed_at is not None
    assert [(e.previous_status, e.new_status) for e in port.events.all()] == [("", S.DRAFT), (S.DRAFT, S.SUBMITTED)]
    assert sorted(port.numbers.values_list("number", flat=True)) == ["+4533123456", "+4533123457"]
    assert AuditEvent.all_companies.filter(action="numbers.port_submitted", company=personas.company_a).exists()
    customer_mail, staff_mail = mail.outbox
    assert customer_mail.to == ["it@alfa.dk", "cfo@alfa.dk"]
    assert "Indsendt" in customer_mail.subject  # rendered in the recipients' language (da)
    assert staff_mail.to == ["support@operator.example"]
    assert port.reference in staff_mail.subject and "33 12 34 56" in staff_mail.body


def test_it_writes_the_email_in_the_chosen_language(personas, actor, django_capture_on_commit_callbacks):
    port = PortRequestFactory(company=personas.company_a, notification_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        actions.submit_port_request(port, by=actor)
    assert "Submitted" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["it@alfa.dk"]


def test_it_stores_an_uploaded_authorisation(personas, actor):
    upload = SimpleUploadedFile("fuldmagt.pdf", PDF, content_type="application/pdf")
    port = actions.create_port_request(
        company=personas.company_a,
        details=details(personas.company_a),
        numbers=["+4533123456"],
        authorisation={"method": "upload", "file": upload},
        submit=True,
        by=actor,
    )
    assert port.authorisation_method == "upload"
    assert port.authorisation_filename == "fuldmagt.pdf"
    assert port.authorisation_file.read().startswith(b"%PDF-")
    assert "fuldmagt" not in port.authorisation_file.name  # stored under a random name


def test_it_refuses_a_file_that_is_not_a_pdf(personas, actor):
    upload = SimpleUploadedFile("fuldmagt.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        actions.create_port_request(
            company=personas.company_a,
            details=details(personas.company_a),
            numbers=["+4533123456"],
            authorisation={"method": "upload", "file": upload},
            submit=True,
            by=actor,
        )
    assert not PortRequest.all_companies.exists()


def test_it_refuses_to_submit_without_authorisation(personas, actor):
    with pytest.raises(ValidationError, match="authorisation"):
        actions.create_port_request(
            company=personas.company_a,
            details=details(personas.company_a),
            numbers=["+4533123456"],
            authorisation={},
            submit=True,
            by=actor,
        )
    assert not PortRequest.all_companies.exists()


def test_it_refuses_a_date_before_the_next_working_day(personas, actor):
    with pytest.raises(ValidationError):
        actions.create_port_request(
            company=personas.company_a,
            details=details(personas.company_a, desired_date=timezone.localdate()),
            numbers=["+4533123456"],
            authorisation=signed(),
            submit=True,
            by=actor,
        )


def test_it_refuses_numbers_that_are_already_ours(personas, actor):
    PhoneNumberFactory(company=personas.company_b, number="+4533123456")
    with pytest.raises(ValidationError, match="already"):
        actions.create_port_request(
            company=personas.company_a,
            details=details(personas.company_a),
            numbers=["+4533123456"],
            authorisation=signed(),
            submit=True,
            by=actor,
        )


def test_it_walks_the_whole_state_machine(personas, actor, staff_actor):
    port = PortRequestFactory(company=personas.company_a, numbers=["+4533123456", "+4533123457"])
    actions.submit_port_request(port, by=actor)
    actions.reject_port_request(port, reason="Forkert kundenummer", by=staff_actor)
    assert port.status == S.REJECTED
    actions.update_port_request(
        port,
        details=details(personas.company_a, customer_number="TL-2"),
        numbers=["+4533123456", "+4533123457"],
        authorisation={},
        submit=True,
        by=actor,
    )
    port.refresh_from_db()
    assert port.status == S.SUBMITTED and port.customer_number == "TL-2"
    at = timezone.now() + datetime.timedelta(days=3)
    actions.schedule_port_request(port, at=at, by=staff_actor)
    assert port.status == S.SCHEDULED
    assert set(port.numbers.values_list("status", flat=True)) == {PortNumber.Status.SCHEDULED}
    actions.complete_port_request(port, ported=["+4533123456", "+4533123457"], note="", by=staff_actor)
    assert port.status == S.COMPLETED
    assert list(PhoneNumber.objects.for_company(personas.company_a).values_list("number", "status")) == [
        ("+4533123456", "active"),
        ("+4533123457", "active"),
    ]
    timeline = [(e.previous_status, e.new_status) for e in port.events.all()]
    assert timeline == [
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.REJECTED),
        (S.REJECTED, S.SUBMITTED),
        (S.SUBMITTED, S.PENDING),
        (S.PENDING, S.SCHEDULED),
        (S.SCHEDULED, S.COMPLETED),
    ]
    reject = port.events.get(new_status=S.REJECTED)
    assert reject.reason == "Forkert kundenummer" and reject.user == personas.staff


def test_it_shows_a_partial_port_per_number(personas, staff_actor):
    port = PortRequestFactory(company=personas.company_a, status=S.SCHEDULED, numbers=["+4533123456", "+4533123457"])
    actions.complete_port_request(port, ported=["+4533123456"], note="Nummeret er opsagt", by=staff_actor)
    statuses = dict(port.numbers.values_list("number", "status"))
    assert statuses == {"+4533123456": "ported", "+4533123457": "not_ported"}
    assert "1 of 2" in port.events.last().reason
    assert list(PhoneNumber.all_companies.values_list("number", flat=True)) == ["+4533123456"]


@pytest.mark.parametrize(
    ("status", "call"),
    [
        (S.DRAFT, "schedule"),
        (S.DRAFT, "complete"),
        (S.SUBMITTED, "complete"),
        (S.COMPLETED, "reject"),
        (S.COMPLETED, "cancel"),
        (S.CANCELLED, "submit"),
        (S.SCHEDULED, "cancel"),
        (S.CANCELLED, "accept"),
        (S.SUBMITTED, "submit"),
    ],
)
def test_it_refuses_illegal_transitions_with_a_reason(personas, staff_actor, status, call):
    port = PortRequestFactory(company=personas.company_a, status=status)
    run = {
        "schedule": lambda: actions.schedule_port_request(
            port, at=timezone.now() + datetime.timedelta(days=2), by=staff_actor
        ),
        "complete": lambda: actions.complete_port_request(
            port, ported=[port.numbers.first().number], note="", by=staff_actor
        ),
        "reject": lambda: actions.reject_port_request(port, reason="x", by=staff_actor),
        "cancel": lambda: actions.cancel_port_request(port, reason="", by=staff_actor),
        "submit": lambda: actions.submit_port_request(port, by=staff_actor),
        "accept": lambda: actions.accept_port_request(port, by=staff_actor),
    }[call]
    with pytest.raises(ValidationError) as exc:
        run()
    assert exc.value.messages[0]
    port.refresh_from_db()
    assert port.status == status
    assert not port.events.exists()


def test_it_lets_the_customer_cancel_before_scheduling(personas, actor):
    port = PortRequestFactory(company=personas.company_a, status=S.PENDING)
    actions.cancel_port_request(port, reason="Vi bliver hos Telia", by=actor)
    assert port.status == S.CANCELLED
    assert set(port.numbers.values_list("status", flat=True)) == {"cancelled"}


def test_it_needs_a_reason_to_reject(personas, staff_actor):
    port = PortRequestFactory(company=personas.company_a, status=S.SUBMITTED)
    with pytest.raises(ValidationError):
        actions.reject_port_request(port, reason="  ", by=staff_actor)


def test_it_refuses_a_schedule_in_the_past(personas, staff_actor):
    port = PortRequestFactory(company=personas.company_a, status=S.PENDING)
    with pytest.raises(ValidationError):
        actions.schedule_port_request(port, at=timezone.now() - datetime.timedelta(hours=1), by=staff_actor)


def test_it_keeps_internal_notes_out_of_the_customers_mail(personas, staff_actor, django_capture_on_commit_callbacks):
    port = PortRequestFactory(company=personas.company_a, status=S.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_port_comment(port, body="Intern: ring til Telia", internal=True, from_staff=True, by=staff_actor)
        actions.add_port_comment(port, body="Vi mangler en faktura", internal=False, from_staff=True, by=staff_actor)
    assert len(mail.outbox) == 1
    assert "Vi mangler en faktura" in mail.outbox[0].body
    assert "Intern" not in mail.outbox[0].body


def test_it_refuses_internal_notes_from_customers(personas, actor):
    port = PortRequestFactory(company=personas.company_a)
    with pytest.raises(ValidationError):
        actions.add_port_comment(port, body="x", internal=True, from_staff=False, by=actor)
