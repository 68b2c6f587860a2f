import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from numbering.models import PortRequest
from numbering.porting import earliest_porting_date
from numbering.tests.conftest import PDF
from numbering.tests.factories import PortRequestFactory

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    return {
        "numbers": "33 12 34 56\n33 12 34 60 - 33 12 34 61",
        "current_operator": "telenor",
        "customer_number": "TN-77",
        "holder_name": "Alfa ApS",
        "holder_street": "Vestergade 1",
        "holder_postcode": "8000",
        "holder_city": "Aarhus C",
        "cvr": "13585628",
        "desired_date": earliest_porting_date().isoformat(),
        "notification_emails": "it@alfa.dk",
        "notification_language": "da",
        "authorisation_method": "signed",
        "signed_name": "Anne Admin",
        "consent": "on",
        "submit": "1",
        **overrides,
    }


def test_it_submits_a_port_request_signed_in_the_portal(personas, login):
    response = login(personas.admin_a).post(reverse("numbers:port_new"), form_data(), REMOTE_ADDR="203.0.113.5")
    port = PortRequest.all_companies.get()
    assert response.status_code == 302
    assert port.company == personas.company_a
    assert port.status == "submitted"
    assert port.signed_ip == "203.0.113.5"
    assert port.numbers.count() == 3


def test_it_saves_a_draft(personas, login):
    login(personas.admin_a).post(reverse("numbers:port_new"), form_data(submit="", save_draft="1"))
    assert PortRequest.all_companies.get().status == "draft"


def test_it_uploads_a_pdf_authorisation_and_serves_it_to_the_company_only(personas, login):
    data = form_data(
        authorisation_method="upload",
        signed_name="",
        consent="",
        authorisation_file=SimpleUploadedFile("fuldmagt.pdf", PDF, content_type="application/pdf"),
    )
    login(personas.admin_a).post(reverse("numbers:port_new"), data)
    port = PortRequest.all_companies.get()
    url = reverse("numbers:port_authorisation", kwargs={"port_id": port.pk})
    response = login(personas.admin_a).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert login(personas.outsider).get(url).status_code == 404
    staff_url = reverse("numbers:staff_port_authorisation", kwargs={"port_id": port.pk})
    assert login(personas.staff).get(staff_url).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"numbers": "20 12 34 56"}, "cannot be ported into each other"),
        ({"numbers": "not a number"}, "not a phone number"),
        ({"cvr": "12345678"}, "valid CVR"),
        ({"desired_date": "2020-01-01"}, "earliest possible date"),
        ({"notification_emails": "nope"}, "not a valid e-mail"),
        ({"consent": ""}, "consent"),
        ({"signed_name": ""}, "full name"),
        ({"current_operator": "vodafone-uk"}, "Select a valid choice"),
        (
            {"authorisation_method": "upload", "authorisation_file": SimpleUploadedFile("x.pdf", b"GIF89a...")},
            "not a PDF",
        ),
        ({"authorisation_method": "upload"}, "Upload the signed authorisation"),
    ],
)
def test_it_re_renders_bad_input_and_changes_nothing(personas, login, overrides, message):
    response = login(personas.admin_a).post(reverse("numbers:port_new"), form_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PortRequest.all_companies.exists()


def test_it_refuses_a_pdf_over_10_mb(personas, login):
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    response = login(personas.admin_a).post(
        reverse("numbers:port_new"), form_data(authorisation_method="upload", authorisation_file=big)
    )
    assert "larger than 10 MB" in response.content.decode()
    assert not PortRequest.all_companies.exists()


def test_it_defaults_to_the_next_working_day_after_maundy_thursday(personas, login, on_day):
    import datetime

    on_day(datetime.date(2026, 4, 2))
    response = login(personas.admin_a).get(reverse("numbers:port_new"))
    assert 'value="2026-04-07"' in response.content.decode()
    assert 'min="2026-04-07"' in response.content.decode()


def test_it_lets_the_admin_correct_and_resubmit_a_rejected_request(personas, login):
    port = PortRequestFactory(company=personas.company_a, status="rejected", status_reason="Forkert adresse")
    client = login(personas.admin_a)
    page = client.get(reverse("numbers:port_edit", kwargs={"port_id": port.pk}))
    assert "Forkert adresse" in page.content.decode()
    data = form_data(holder_street="Østergade 2", signed_name="", consent="")
    response = client.post(reverse("numbers:port_edit", kwargs={"port_id": port.pk}), data)
    assert response.status_code == 302
    port.refresh_from_db()
    assert port.status == "submitted" and port.holder_street == "Østergade 2"


def test_it_refuses_to_edit_a_submitted_request(personas, login):
    port = PortRequestFactory(company=personas.company_a, status="submitted")
    client = login(personas.admin_a)
    client.post(reverse("numbers:port_edit", kwargs={"port_id": port.pk}), form_data(holder_street="X"))
    port.refresh_from_db()
    assert port.holder_street == "Vestergade 1"


def test_it_cancels_a_request(personas, login):
    port = PortRequestFactory(company=personas.company_a, status="submitted")
    login(personas.admin_a).post(reverse("numbers:port_cancel", kwargs={"port_id": port.pk}), {"reason": "Fortrudt"})
    port.refresh_from_db()
    assert port.status == "cancelled"


def test_it_refuses_to_cancel_a_scheduled_request_with_a_message(personas, login):
    port = PortRequestFactory(company=personas.company_a, status="scheduled")
    response = login(personas.admin_a).post(reverse("numbers:port_cancel", kwargs={"port_id": port.pk}), follow=True)
    assert "already scheduled" in response.content.decode()
    port.refresh_from_db()
    assert port.status == "scheduled"


def test_it_hides_internal_notes_from_the_customer(personas, login):
    port = PortRequestFactory(company=personas.company_a, status="submitted")
    port.comments.create(body="Synligt svar", from_staff=True)
    port.comments.create(body="Hemmelig note", from_staff=True, is_internal=True)
    html = login(personas.admin_a).get(reverse("numbers:port_detail", kwargs={"port_id": port.pk})).content.decode()
    assert "Synligt svar" in html and "Hemmelig note" not in html
    staff_html = login(personas.staff).get(reverse("numbers:staff_port", kwargs={"port_id": port.pk})).content.decode()
    assert "Hemmelig note" in staff_html


def test_it_adds_a_customer_comment(personas, login):
    port = PortRequestFactory(company=personas.company_a, status="submitted")
    login(personas.admin_a).post(reverse("numbers:port_comment", kwargs={"port_id": port.pk}), {"body": "Haster"})
    assert port.comments.get().body == "Haster"


def test_it_rejects_an_empty_comment(personas, login):
    port = PortRequestFactory(company=personas.company_a, status="submitted")
    response = login(personas.admin_a).post(reverse("numbers:port_comment", kwargs={"port_id": port.pk}), {"body": ""})
    assert response.status_code == 400
    assert not port.comments.exists()


def test_it_shows_no_action_buttons_to_read_only_admins(personas, login):
    port = PortRequestFactory(company=personas.company_a, status="rejected")
    html = login(personas.readonly_a).get(reverse("numbers:port_detail", kwargs={"port_id": port.pk})).content.decode()
    assert 'data-testid="port-correct"' not in html
    assert 'data-testid="port-cancel"' not in html
    index = login(personas.readonly_a).get(reverse("numbers:index")).content.decode()
    assert 'data-testid="new-port"' not in index


def test_it_refuses_a_read_only_admins_submission(personas, login):
    response = login(personas.readonly_a).post(reverse("numbers:port_new"), form_data())
    assert response.status_code == 403
    assert not PortRequest.all_companies.exists()


@pytest.mark.parametrize("size", [1, 30])
def test_it_lists_port_requests_in_fixed_queries(personas, login, django_assert_num_queries, size):
    PortRequestFactory.create_batch(size, company=personas.company_a)
    PortRequestFactory(company=personas.company_b)
    client = login(personas.admin_a)
    client.get(reverse("numbers:port_list"))  # warm the session
    # The same at both sizes: the shell's session/user queries (memberships from the session), then count and page.
    with django_assert_num_queries(4):
        response = client.get(reverse("numbers:port_list"))
    assert len(response.context["page"]) == min(size, 25)


def test_it_shows_a_dash_not_none_for_an_unknown_signing_ip_or_user(personas, login):
    port = PortRequestFactory(company=personas.company_a, signed_by=None, signed_ip=None)
    response = login(personas.admin_a).get(reverse("numbers:port_detail", kwargs={"port_id": port.pk}))
    assert response.status_code == 200
    content = response.content.decode()
    assert "from None" not in content
    assert "()" not in content
    assert "Signed in the portal by Anne Admin (—)" in content
