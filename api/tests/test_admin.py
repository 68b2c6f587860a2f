import pytest
from django.urls import reverse

from api.tests.factories import make_client

pytestmark = pytest.mark.django_db


def test_staff_can_see_api_clients_but_never_their_secret(personas, login):
    client, token = make_client(personas.company_a, name="Lønsystem")
    staff = login(personas.staff)
    changelist = staff.get(reverse("admin:api_apiclient_changelist"))
    assert changelist.status_code == 200
    assert "Lønsystem" in changelist.content.decode()
    change = staff.get(reverse("admin:api_apiclient_change", args=[client.pk]))
    assert change.status_code == 200
    assert client.secret_hash.encode() not in change.content
    assert token.split("_", 2)[2].encode() not in change.content
    assert staff.get(reverse("admin:api_productorder_changelist")).status_code == 200
