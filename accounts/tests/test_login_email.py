import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import actions
from accounts.models import User
from audit.actor import Actor
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "data",
    [
        {"action_add": "", "email": "look-alike@alfa.dk"},
        {"action_primary": "", "email": "admin-ab@alfa.dk"},
        {"action_send": "", "email": "admin-ab@alfa.dk"},
        {"action_remove": "", "email": "admin-a@alfa.dk"},
    ],
)
def test_customers_cannot_manage_their_login_email(login, personas, data):
    client = login(personas.admin_a)
    assert client.get("/accounts/email/").status_code == 404
    assert client.post("/accounts/email/", data).status_code == 404
    assert client.get("/accounts/confirm-email/some-key/").status_code == 404
    assert mail.outbox == []
    assert User.objects.get(pk=personas.admin_a.pk).email == "admin-a@alfa.dk"
    assert not EmailAddress.objects.filter(email__in=["look-alike@alfa.dk"]).exists()


def test_staff_change_a_login_email_audited(personas):
    actions.change_login_email(personas.admin_a, email=" New-Address@Alfa.dk ", by=Actor(user=personas.staff))
    personas.admin_a.refresh_from_db()
    assert personas.admin_a.email == "new-address@alfa.dk"
    assert EmailAddress.objects.get(user=personas.admin_a).email == "new-address@alfa.dk"
    event = AuditEvent.all_companies.get(action="account.email_changed")
    assert event.actor == personas.staff
    assert event.details == {"from": "admin-a@alfa.dk", "to": "new-address@alfa.dk"}


def test_an_address_another_user_signs_in_with_is_refused_clearly(personas):
    with pytest.raises(ValidationError) as error:
        actions.change_login_email(personas.admin_a, email="ADMIN-AB@alfa.dk", by=Actor(user=personas.staff))
    assert "Another user already signs in with admin-ab@alfa.dk" in str(error.value)
    assert not AuditEvent.all_companies.filter(action="account.email_changed").exists()


def _change_form_data(response):
    """The admin change form's current values, inlines included, as a POST would send them."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or name == "password":
            continue
        if isinstance(value, (list, tuple)) or hasattr(value, "all"):
            data[name] = [getattr(v, "pk", v) for v in (value.all() if hasattr(value, "all") else value)]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    for key in ("last_login", "date_joined"):
        if key in data:
            moment = data.pop(key)
            data[f"{key}_0"], data[f"{key}_1"] = moment.date().isoformat(), moment.time().strftime("%H:%M:%S")
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for field in formset.management_form:
            data[f"{formset.prefix}-{field.name}"] = field.value()
        for index, subform in enumerate(formset.forms):
            for name in subform.fields:
                value = subform[name].value()
                if value not in (None, False):
                    data[f"{formset.prefix}-{index}-{name}"] = value
    return data


def test_staff_change_it_in_the_admin_through_the_audited_action(login, personas):
    client = login(personas.staff)
    url = reverse("admin:accounts_user_change", args=[personas.admin_a.pk])
    data = _change_form_data(client.get(url))
    response = client.post(url, {**data, "email": "Admin-AB@alfa.dk"})
    assert response.status_code == 200
    assert "Another user already signs in with admin-ab@alfa.dk" in response.content.decode()
    response = client.post(url, {**data, "email": "anne@alfa.dk"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(pk=personas.admin_a.pk).email == "anne@alfa.dk"
    assert AuditEvent.all_companies.get(action="account.email_changed").details["to"] == "anne@alfa.dk"
