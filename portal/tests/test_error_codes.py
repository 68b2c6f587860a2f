"""Actions refuse with a ValidationError whose code says why (a future API answers with it), and
``common.forms.errors_to`` puts a refusal on the form that asked, code and all."""

import uuid

import pytest
from django import forms
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError

from audit.actor import Actor
from common.forms import add_errors, errors_to
from invoicing import actions as invoicing_actions
from invoicing.tests.factories import EInvoiceRecipientFactory
from numbering import actions as numbering_actions
from numbering.porting import earliest_porting_date
from numbering.tests.factories import PhoneNumberFactory, flow_document
from subscriptions import actions as subscription_actions
from subscriptions.guide import Guide
from subscriptions.models import Subscription
from subscriptions.tests.factories import ProductFactory, SubscriptionFactory
from tickets import actions as ticket_actions
from tickets.models import Category

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> list[str | None]:
    return [e.code for e in error.error_list]


@pytest.fixture
def actor(personas):
    return Actor(user=personas.admin_a, ip_address="192.0.2.10")


def test_it_refuses_a_ticket_about_another_companys_subscription_with_a_code(personas, actor):
    foreign = SubscriptionFactory(company=personas.company_b)
    with pytest.raises(ValidationError) as refused:
        ticket_actions.create_ticket(
            company=personas.company_a,
            subject="Help",
            description="Please",
            category=Category.SUBSCRIPTIONS,
            related_subscription=foreign,
            by=actor,
        )
    assert codes(refused.value) == ["foreign_subscription"]


def test_it_refuses_a_port_request_for_numbers_already_taken_with_a_code(personas, actor):
    PhoneNumberFactory(company=personas.company_b, number="+4533123456")
    company = personas.company_a
    with pytest.raises(ValidationError) as refused:
        numbering_actions.create_port_request(
            company=company,
            details={
                "current_operator": "telia",
                "customer_number": "TL-1",
                "holder_name": company.name,
                "holder_street": "Vestergade 1",
                "holder_postcode": "8000",
                "holder_city": "Aarhus C",
                "cvr": company.cvr,
                "desired_date": earliest_porting_date(),
                "notification_emails": "it@alfa.dk",
                "notification_language": "da",
            },
            numbers=["+4533123456"],
            authorisation={"method": "signed", "name": "Anne Admin", "consent": True},
            submit=True,
            by=actor,
        )
    assert codes(refused.value) == ["numbers_taken"]


def test_it_refuses_a_call_flow_with_one_coded_error_per_problem(personas, actor):
    document = flow_document([SubscriptionFactory(company=personas.company_b).pk])  # not company A's
    document["routes"]["open"] = ""
    with pytest.raises(ValidationError) as refused:
        numbering_actions.save_call_flow(company=personas.company_a, document=document, comment="", by=actor)
    assert len(refused.value.messages) == 2
    assert codes(refused.value) == ["invalid_call_flow", "invalid_call_flow"]


def test_it_refuses_an_einvoice_sign_up_of_addresses_already_signed_up_with_a_code(personas, actor):
    EInvoiceRecipientFactory(company=personas.company_a, email="bogholderi@alfa.dk")
    with pytest.raises(ValidationError) as refused:
        invoicing_actions.sign_up_einvoice(
            company=personas.company_a,
            addresses=["bogholderi@alfa.dk"],
            confirm_url=lambda token: f"https://example.test/{token}",
            language="da",
            by=actor,
        )
    assert codes(refused.value) == ["already_signed_up"]


def test_it_refuses_a_guide_confirmed_from_a_stale_window_with_a_code(personas, actor):
    guide = Guide(SessionStore(), personas.company_a)
    guide.draft  # starts the draft and its token  # noqa: B018
    with pytest.raises(ValidationError) as refused:
        guide.confirm(None, token=uuid.uuid4().hex, by=actor)  # type: ignore[arg-type]
    assert codes(refused.value) == ["guide_changed"]


def test_it_refuses_to_cancel_a_cancelled_subscription_with_a_code(personas, actor):
    sub = SubscriptionFactory(company=personas.company_a, status=Subscription.Status.TERMINATED)
    with pytest.raises(ValidationError) as refused:
        subscription_actions.cancel(sub, on=sub.start_date, reason="Moved", by=actor)
    assert codes(refused.value) == ["already_cancelled"]


def test_it_refuses_a_type_change_the_catalogue_does_not_allow_with_a_code(personas):
    sub = SubscriptionFactory(company=personas.company_a)
    with pytest.raises(ValidationError) as refused:
        subscription_actions.preview_product_change(sub, target=ProductFactory(code="other"), effective="now")
    assert codes(refused.value) == ["change_not_allowed"]


def test_it_refuses_a_bulk_cancellation_without_a_reason_with_a_code(personas, actor):
    SubscriptionFactory(company=personas.company_a)
    with pytest.raises(ValidationError) as refused:
        subscription_actions.submit_bulk(
            Subscription.objects.for_company(personas.company_a),
            company=personas.company_a,
            action="cancel",
            token="",
            by=actor,
            reason=" ",
        )
    assert codes(refused.value) == ["reason_required"]


class NoteForm(forms.Form):
    note = forms.CharField(required=False)


def test_errors_to_puts_the_refusal_above_the_form_and_skips_the_rest_of_the_block():
    form = NoteForm({"note": "x"})
    assert form.is_valid()
    reached = []
    with errors_to(form):
        raise ValidationError("The subscription is already cancelled.", code="already_cancelled")
        reached.append(True)  # never runs
    assert reached == []
    assert form.non_field_errors() == ["The subscription is already cancelled."]
    assert [e.code for e in form.errors.as_data()["__all__"]] == ["already_cancelled"]


def test_errors_to_lets_a_successful_block_finish():
    form = NoteForm({"note": "x"})
    assert form.is_valid()
    with errors_to(form):
        done = True
    assert done and form.errors == {}


def test_a_models_field_errors_go_above_the_form_too():
    form = NoteForm({"note": "x"})
    assert form.is_valid()
    add_errors(form, ValidationError({"holder_name": ["This field cannot be blank."], "note": ["Too long."]}))
    assert form.non_field_errors() == ["This field cannot be blank.", "Too long."]
    assert "note" not in form.errors


def test_an_unbound_form_takes_a_refusal_too():
    form = NoteForm()
    add_errors(form, "Only a running subscription can change its add-ons.")
    assert form.non_field_errors() == ["Only a running subscription can change its add-ons."]


def test_errors_to_messages_shows_each_message_of_a_refusal_and_skips_the_rest(rf):
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    from common.forms import errors_to_messages

    request = rf.post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    reached = []
    with errors_to_messages(request):
        raise ValidationError(["Give a reason.", "The port is already scheduled."])
        reached.append(True)  # never runs
    assert reached == []
    assert [str(m) for m in get_messages(request)] == ["Give a reason.", "The port is already scheduled."]
