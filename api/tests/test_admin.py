import pytest
from django.urls import reverse

from api.models import WebhookHub
from api.tests.factories import make_client, make_delivery, make_hub

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


def test_staff_can_see_webhooks_but_never_their_secret(personas, login):
    hub, secret = make_hub(personas.company_a, callback="http://127.0.0.1:9/lon")
    make_delivery(personas.company_a, hub=hub)
    staff = login(personas.staff)
    change = staff.get(reverse("admin:api_webhookhub_change", args=[hub.pk]))
    assert change.status_code == 200
    assert "http://127.0.0.1:9/lon" in change.content.decode()
    assert secret.encode() not in change.content
    assert WebhookHub.all_companies.get(pk=hub.pk).secret_encrypted.encode() not in change.content
    assert staff.get(reverse("admin:api_webhookdelivery_changelist")).status_code == 200
