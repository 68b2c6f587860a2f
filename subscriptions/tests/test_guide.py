"""The creation guide's rules (subscriptions/guide.py), without the pages around them."""

import pytest
from django.contrib.sessions.backends.db import SessionStore

from audit.actor import Actor
from subscriptions.guide import Guide
from subscriptions.models import Product
from subscriptions.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(personas):
    return Guide(SessionStore(), personas.company_a)


@pytest.fixture
def by(personas):
    return Actor(user=personas.admin_a, ip_address="192.0.2.10")


def test_it_sends_a_step_whose_earlier_steps_are_unanswered_to_the_first_of_them(guide, by):
    assert guide.step_to_show("user") == "user"
    assert guide.step_to_show("number") == "user"
    guide.answer("user", {"user_name": "Anne", "email": "", "cost_centre": ""}, by=by)
    assert guide.step_to_show("number") == "product"
    assert guide.step_to_show("nonsense") == "sim"


def test_a_landline_has_no_sim_step_and_forgets_an_earlier_sim_answer(guide, by):
    mobile = ProductFactory(kind=Product.Kind.MOBILE)
    landline = ProductFactory(code="fastnet", kind=Product.Kind.LANDLINE)
    guide.answer("user", {"user_name": "Anne"}, by=by)
    assert guide.answer("product", {"product": mobile, "add_ons": []}, by=by) == "number"
    guide.answer("number", {"choice": "new", "phone_number": "+4520123456"}, by=by)
    assert guide.answer("sim", {"choice": "esim"}, by=by) == "summary"
    assert guide.steps() == ["user", "product", "number", "sim", "summary"]

    guide.answer("product", {"product": landline, "add_ons": []}, by=by)
    assert guide.steps() == ["user", "product", "number", "summary"]
    assert "sim" not in guide.draft
    assert guide.draft["number"]["choice"] == "new"  # a new number stays; only a ported one must match the type


def test_switching_between_landline_and_mobile_asks_again_for_a_ported_number(guide, by):
    mobile = ProductFactory(kind=Product.Kind.MOBILE)
    landline = ProductFactory(code="fastnet", kind=Product.Kind.LANDLINE)
    guide.answer("product", {"product": mobile, "add_ons": []}, by=by)
    guide.answer("number", {"choice": "port", "phone_number": "+4520123456", "port_operator": "telia"}, by=by)
    assert guide.draft["number"]["signed_ip"] == "192.0.2.10"
    assert guide.draft["number"]["signed_at"]
    guide.answer("product", {"product": landline, "add_ons": []}, by=by)
    assert "number" not in guide.draft


def test_restart_forgets_the_draft_and_its_token(guide):
    token = guide.draft["token"]
    guide.restart()
    assert guide.draft["token"] != token
