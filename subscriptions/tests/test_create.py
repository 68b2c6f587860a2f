import pytest
from django.urls import reverse

from audit.models import AuditEvent
from subscriptions.identifiers import iccid_with_check
from subscriptions.models import NumberPool, Subscription

pytestmark = pytest.mark.django_db


def u(step):
    return reverse(f"subscriptions:create_{step}")


def walk(client, catalogue, *, sim=None, number=None):
    assert (
        client.post(u("user"), {"user_name": "Øjvind Åberg", "email": "oa@firma.dk", "cost_centre": "IT"}).status_code
        == 302
    )
    client.post(
        u("product"),
        {
            "product": catalogue["mobil-plus-30"].pk,
            "add_ons": [catalogue["mobil-plus-30"].add_ons.get(code="voicemail-pro").pk],
        },
    )
    client.post(u("number"), number or {"choice": "pool", "pool_number": "+4542100003"})
    response = client.post(u("sim"), sim or {"choice": "esim"})
    assert response.status_code == 302 and response["Location"] == u("summary")
    return client.get(u("summary"))


def test_it_creates_a_subscription_through_every_step(personas, login, catalogue, django_capture_on_commit_callbacks):
    client = login(personas.admin_a)
    summary = walk(client, catalogue)
    assert summary.context["monthly"] == 14900 + 1900
    assert summary.context["fees_total"] == 4900
    token = summary.context["token"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(u("summary"), {"token": token})
    assert len(callbacks) == 1
    sub = Subscription.all_companies.get(company=personas.company_a)
    assert response["Location"] == reverse("subscriptions:detail", kwargs={"subscription_id": sub.pk})
    # The provisioning task ran on commit (Immediate backend in tests).
    assert sub.status == Subscription.Status.ACTIVE
    assert (sub.phone_number, sub.sim_type) == ("+4542100003", "esim")
    assert NumberPool.objects.get(phone_number="+4542100003").reserved_for == personas.company_a
    assert AuditEvent.all_companies.filter(action="subscription.created").count() == 1


def test_it_creates_one_subscription_on_a_double_submit(personas, login, catalogue):
    client = login(personas.admin_a)
    token = walk(client, catalogue).context["token"]
    first = client.post(u("summary"), {"token": token})
    second = client.post(u("summary"), {"token": token})
    assert Subscription.all_companies.count() == 1
    assert second["Location"] == first["Location"]


def test_it_keeps_the_draft_across_back_and_reload(personas, login, catalogue):
    client = login(personas.admin_a)
    walk(client, catalogue)
    page = client.get(u("user"))
    assert page.context["form"].initial["user_name"] == "Øjvind Åberg"
    assert client.get(u("summary")).status_code == 200


def test_it_sends_you_back_to_the_first_unanswered_step(personas, login, catalogue):
    response = login(personas.admin_a).get(u("sim"))
    assert response["Location"] == u("user")


def test_it_records_a_port_in_for_an_existing_number(personas, login, catalogue):
    client = login(personas.admin_a)
    token = walk(
        client,
        catalogue,
        number={
            "choice": "port",
            "port_number": "30 12 34 56",
            "port_operator": "telia",
            "signed_name": "Anne Admin",
            "consent": "on",
        },
        sim={"choice": "physical", "iccid": iccid_with_check("894501999999999999")},
    ).context["token"]
    client.post(u("summary"), {"token": token})
    sub = Subscription.all_companies.get()
    assert (sub.phone_number, sub.port_in_requested, sub.port_in_operator) == ("+4530123456", True, "Telia")


@pytest.mark.parametrize(
    "step,data,field",
    [
        ("user", {"user_name": "  "}, "user_name"),
        ("user", {"user_name": "A", "email": "nope"}, "email"),
    ],
)
def test_it_rerenders_an_invalid_first_step(personas, login, catalogue, step, data, field):
    response = login(personas.admin_a).post(u(step), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors


@pytest.mark.parametrize(
    "step,data,field",
    [
        ("product", {}, "product"),
        ("product", {"product": "999999"}, "product"),
        ("number", {"choice": "pool"}, "pool_number"),
        ("number", {"choice": "port", "port_number": "123", "port_operator": "telia"}, "port_number"),
        ("number", {"choice": "port", "port_number": "20123456", "port_operator": "Telia"}, "port_operator"),
        (
            "number",
            {"choice": "port", "port_number": "20123456", "port_operator": "telia", "consent": "on"},
            "signed_name",
        ),
        (
            "number",
            {"choice": "port", "port_number": "20123456", "port_operator": "telia", "signed_name": "A"},
            "consent",
        ),
        (
            "number",
            {
                "choice": "port",
                "port_number": "33 12 34 56",
                "port_operator": "telia",
                "signed_name": "A",
                "consent": "on",
            },
            "port_number",
        ),
        ("number", {"choice": "port", "port_number": "20123456", "port_operator": ""}, "port_operator"),
        ("sim", {"choice": "physical", "iccid": "8945010000000000000"}, "iccid"),
        ("sim", {"choice": "physical", "iccid": "1234567890123456789"}, "iccid"),
        ("sim", {"choice": "physical", "iccid": iccid_with_check("894601999999999999")}, "iccid"),  # a Swedish SIM
        ("sim", {"choice": "ship", "ship_to": ""}, "ship_to"),
    ],
)
def test_it_rerenders_invalid_steps_with_errors(personas, login, catalogue, step, data, field):
    client = login(personas.admin_a)
    client.post(u("user"), {"user_name": "Åse"})
    client.post(u("product"), {"product": catalogue["mobil-basis-5"].pk})
    client.post(u("number"), {"choice": "pool", "pool_number": "+4542100001"})
    response = client.post(u(step), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_it_refuses_an_add_on_not_available_on_the_type(personas, login, catalogue):
    client = login(personas.admin_a)
    client.post(u("user"), {"user_name": "Åse"})
    response = client.post(
        u("product"),
        {
            "product": catalogue["fastnet-ip"].pk,
            "add_ons": [catalogue["mobil-plus-30"].add_ons.get(code="dobbelt-sim").pk],
        },
    )
    assert response.status_code == 400


@pytest.mark.parametrize("add_on", ["99999999999999999999", "-99999999999999999999", "1e9", "x"])
def test_it_refuses_an_add_on_id_out_of_range(personas, login, catalogue, add_on):
    """An id beyond 64-bit integers was an OverflowError (500) in the add-ons' IN (...) query."""
    client = login(personas.admin_a)
    client.post(u("user"), {"user_name": "Åse"})
    response = client.post(u("product"), {"product": catalogue["mobil-plus-30"].pk, "add_ons": [add_on]})
    assert response.status_code == 400
    assert "add_ons" in response.context["form"].errors


def test_the_guide_marks_the_current_step_beyond_colour(personas, login, catalogue):
    client = login(personas.admin_a)
    client.post(u("user"), {"user_name": "Åse"})
    page = client.get(u("product")).content.decode()
    steps = page.split('data-testid="wizard-step"')
    assert 'aria-current="step"' not in steps[0] + steps[2]  # only the second step is current
    assert 'is-current" aria-current="step"' in steps[1]
    assert "is-done" in steps[0] and 'class="visually-hidden">Done:' in steps[1]
    assert 'data-testid="step-heading">Step 2 of' in page
