"""The staff invoicing page's dispatch table (invoicing/staff_actions.py)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from invoicing import staff_actions

pytestmark = pytest.mark.django_db


def test_every_form_on_the_staff_page_has_a_handler_and_every_handler_a_form():
    template = Path(staff_actions.__file__).parent / "templates" / "invoicing" / "staff.html"
    posted = set(re.findall(r'name="action" value="([a-z_]+)"', template.read_text()))
    assert posted == set(staff_actions.HANDLERS)


def test_an_unknown_action_shows_the_page_again_and_changes_nothing(personas, login):
    response = login(personas.staff).post(reverse("invoice:staff"), {"action": "nonsense"})
    assert response.status_code == 200
    assert not response.context["billing_form"].is_bound
