"""Zero-touch enrolment through the real adapters, against fake vendor servers (products/tests/vendors.py).

Each server checks the authentication and the request's shape and answers like the vendor, including its
errors; the task's retries, Apple's polling, "already claimed" and a re-run after a crash are checked here.
"""

import json
import logging
import threading
from unittest import mock

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.actor import Actor
from audit.models import AuditEvent
from products import actions, zerotouch
from products.actions import Delivery, WantedLine
from products.checks import check_zero_touch
from products.models import Enrolment, ProductSettings
from products.tasks import register_devices
from products.tests.factories import ItemFactory
from products.tests.vendors import FakeApple, FakeGoogle, FakeKnox, make_pki, server_tls

pytestmark = pytest.mark.django_db
STAFF = Actor.system("staff")
DELIVERY = Delivery(name="Alfa ApS", street="Vestergade 1", postcode="8000", city="Aarhus C")


@pytest.fixture(autouse=True)
def _router(settings):
    settings.PRODUCTS_ZERO_TOUCH_ADAPTER = "products.zerotouch.ProviderRouter"
    settings.PRODUCTS_ZERO_TOUCH = {}
    settings.PRODUCTS_ZERO_TOUCH_RETRY_SECONDS = 60
    settings.PRODUCTS_ZERO_TOUCH_MAX_ATTEMPTS = 4
    settings.PRODUCTS_ZERO_TOUCH_MAX_POLLS = 5
    zerotouch._TokenCache._tokens.clear()
    yield
    zerotouch._TokenCache._tokens.clear()


@pytest.fixture
def apple(settings, tmp_path):
    pki = make_pki(tmp_path)
    server = FakeApple(tls=server_tls(pki)).start()
    settings.PRODUCTS_ZERO_TOUCH = {
        **settings.PRODUCTS_ZERO_TOUCH,
        "apple": {
            "URL": server.url + "/enroll-service/1.0",
            "SOLD_TO": "SOLD-1",
            "SHIP_TO": "SHIP-1",
            "CERT_FILE": pki["client"],
            "KEY_FILE": pki["client_key"],
            "CA_FILE": pki["ca"],
            "TIMEOUT": 2,
        },
    }
    server.pki = pki
    yield server
    server.stop()


@pytest.fixture
def knox(settings):
    server = FakeKnox().start()
    settings.PRODUCTS_ZERO_TOUCH = {
        **settings.PRODUCTS_ZERO_TOUCH,
        "knox": {
            "URL": server.url,
            "TOKEN_URL": server.url + "/ams/v1/oauth2/token",
            "CLIENT_ID": "knox-client",
            "CLIENT_SECRET": "knox-secret-value",
            "RESELLER_ID": "RES-1",
            "TIMEOUT": 0.5,
        },
    }
    yield server
    server.stop()


@pytest.fixture
def google(settings, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server = FakeGoogle(public_key=key.public_key()).start()
    account = tmp_path / "service-account.json"
    account.write_text(
        json.dumps(
            {
                "type": "service_account",
                "client_email": server.client_email,
                "private_key_id": "k1",
                "private_key": key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                ).decode(),
                "token_uri": server.url + "/token",
            }
        )
    )
    settings.PRODUCTS_ZERO_TOUCH = {
        **settings.PRODUCTS_ZERO_TOUCH,
        "android": {
            "URL": server.url,
            "PARTNER_ID": "42",
            "SERVICE_ACCOUNT_FILE": str(account),
            "MANUFACTURER": "Google",
            "TIMEOUT": 2,
        },
    }
    yield server
    server.stop()


def ship(personas, provider, org_id, serials):
    """An order of phones for company A with the given zero-touch account, shipped with the serials; the
    enrolment task is not run (the test runs it). Returns the enrolments' ids."""
    ProductSettings.objects.update_or_create(
        company=personas.company_a, defaults={"zero_touch_provider": provider, "zero_touch_org_id": org_id}
    )
    phone = ItemFactory(stock=len(serials))
    order = actions.place_order(
        company=personas.company_a,
        lines=[WantedLine(item_id=phone.pk, quantity=len(serials))],
        delivery=DELIVERY,
        billing="one_off",
        by=Actor(user=personas.admin_a, label="a"),
        approval_url=lambda token: f"https://portal.example/products/approve/{token}/",
    )
    actions.pick_order(order=order, by=STAFF)
    line = order.lines.get()
    actions.ship_order(
        order=order,
        quantities={line.pk: len(serials)},
        carrier="GLS",
        tracking_number="1",
        tracking_url="https://t.example/1",
        serials={line.pk: serials},
        by=STAFF,
    )
    return list(Enrolment.objects.filter(line=line).order_by("pk").values_list("pk", flat=True))


def statuses():
    return {e.serial: (e.status, e.external_id, e.error) for e in Enrolment.objects.all()}


# --- Apple ------------------------------------------------------------------------------------------------------


def test_apple_posts_the_order_over_mutual_tls_and_polls_the_transaction(
    personas, apple, django_capture_on_commit_callbacks
):
    ids = ship(personas, "apple", "ABM-1048576", ["F2LXK0AAHG7F"])
    with django_capture_on_commit_callbacks(execute=True):
        register_devices.call(ids)
    post = apple.calls("bulk-enroll-devices")[0].json
    order = post["orders"][0]
    assert post["requestContext"] == {"shipTo": "SHIP-1", "timeZone": "0", "langCode": "en"}
    assert post["depResellerId"] == "SOLD-1"
    assert (order["customerId"], order["orderType"]) == ("ABM-1048576", "OR")
    assert order["orderNumber"].startswith("PO-") and order["orderNumber"].endswith(f"-{ids[0]}")
    assert order["deliveries"][0]["devices"] == [{"deviceId": "F2LXK0AAHG7F", "assetTag": ""}]
    # IN_PROGRESS once, then COMPLETE: polled twice, registered with the transaction as its reference.
    assert len(apple.calls("check-transaction-status")) == 2
    enrolment = Enrolment.objects.get()
    assert (enrolment.status, enrolment.external_id, enrolment.polls) == ("registered", "tx-1", 2)
    assert AuditEvent.objects.unscoped().filter(action="products.device_enrolled").count() == 1


def test_apple_needs_the_reseller_certificate(personas, apple, settings):
    """The fake, like Apple, completes no TLS handshake without the reseller's client certificate; without the
    certificate's settings the device waits as not configured."""
    http = zerotouch._Http("Apple", 2, cert=None, verify=apple.pki["ca"])
    with pytest.raises(zerotouch.TransientError, match=r"Apple: (SSLError|ConnectionError)"):
        http.call("POST", apple.url + "/enroll-service/1.0/show-order-details", json={})
    settings.PRODUCTS_ZERO_TOUCH["apple"]["CERT_FILE"] = ""
    register_devices.call(ship(personas, "apple", "ABM-1", ["SN1"]))
    assert statuses()["SN1"][::2] == ("pending", "not configured")
    assert not apple.calls("bulk-enroll-devices")


def test_apple_refusal_of_a_device_fails_it_with_apples_reason_on_the_order_page(
    personas, apple, login, django_capture_on_commit_callbacks
):
    apple.refuse = {"BAD1": "DEP-ERR-3004 Device not found in Apple's records"}
    ids = ship(personas, "apple", "ABM-1", ["SN1", "BAD1"])
    with django_capture_on_commit_callbacks(execute=True):
        register_devices.call(ids)
    found = statuses()
    assert found["SN1"][0] == "registered"
    assert found["BAD1"][0] == "failed" and "DEP-ERR-3004" in found["BAD1"][2]
    order = Enrolment.objects.get(serial="BAD1").line.order
    html = login(personas.admin_a).get(reverse("products:order_detail", args=[order.pk])).content.decode()
    assert "DEP-ERR-3004 Device not found in Apple&#x27;s records" in html


def test_apple_order_posted_by_a_lost_try_counts_as_registered(personas, apple):
    """An earlier try posted the order but its answer was lost: Apple refuses the order number, the adapter
    finds the device under the company with show-order-details."""
    ids = ship(personas, "apple", "ABM-1", ["SN1"])
    key = f"{Enrolment.objects.get().line.order.reference}-{ids[0]}"
    apple.orders[key] = {
        "orderNumber": key,
        "customerId": "ABM-1",
        "deliveries": [{"devices": [{"deviceId": "SN1"}]}],
    }
    register_devices.call(ids)
    assert statuses()["SN1"][:2] == ("registered", key)
    assert len(apple.orders) == 1


# --- Samsung Knox -----------------------------------------------------------------------------------------------


def test_knox_uploads_with_one_oauth_token_for_several_devices(personas, knox):
    ids = ship(personas, "knox", "KNOX-CUST-7", ["356938035643809", "356938035643817"])
    register_devices.call(ids)
    assert [s[0] for s in statuses().values()] == ["registered", "registered"]
    assert len(knox.calls("/oauth2/token")) == 1
    token = knox.calls("/oauth2/token")[0].form
    assert (token["grant_type"], token["client_id"], token["scope"]) == ("client_credentials", "knox-client", "kdp")
    upload = knox.calls("/devices/upload")[0]
    assert upload.method == "PUT" and upload.headers["Authorization"] == "Bearer knox-token-1"
    body = upload.json
    assert (body["resellerId"], body["customerId"], body["devices"]) == (
        "RES-1",
        "KNOX-CUST-7",
        [{"deviceUid": "356938035643809"}],
    )
    assert knox.devices == {"356938035643809": "KNOX-CUST-7", "356938035643817": "KNOX-CUST-7"}


def test_knox_validation_error_fails_the_device_with_its_reason(personas, knox):
    ids = ship(personas, "knox", "KNOX-CUST-7", ["BAD-1"])
    register_devices.call(ids)
    status, _ref, error = statuses()["BAD-1"]
    assert status == "failed"
    assert error == "Samsung Knox: INVALID_DEVICE_UID Device BAD-1 is not a Samsung device"


def test_knox_already_uploaded_counts_as_registered(personas, knox):
    knox.devices["356938035643809"] = "KNOX-CUST-7"
    register_devices.call(ship(personas, "knox", "KNOX-CUST-7", ["356938035643809"]))
    assert statuses()["356938035643809"][0] == "registered"


def test_knox_revoked_token_is_renewed_once(personas, knox):
    register_devices.call(ship(personas, "knox", "K-1", ["356938035643809"]))
    knox.tokens.clear()  # revoked at Samsung before it expired
    register_devices.call(ship(personas, "knox", "K-1", ["356938035643817"]))
    assert [s[0] for s in statuses().values()] == ["registered", "registered"]
    assert len(knox.calls("/oauth2/token")) == 2


def test_knox_wrong_client_secret_fails_without_showing_the_secret(personas, knox, settings, caplog):
    settings.PRODUCTS_ZERO_TOUCH["knox"]["CLIENT_SECRET"] = "wrong-secret-123"
    with caplog.at_level(logging.DEBUG):
        register_devices.call(ship(personas, "knox", "K-1", ["356938035643809"]))
    status, _ref, error = statuses()["356938035643809"]
    assert status == "failed" and "sign-in was refused (HTTP 401: invalid_client)" in error
    assert "wrong-secret-123" not in error and "wrong-secret-123" not in caplog.text


def test_secrets_and_tokens_are_never_logged(personas, knox, caplog):
    with caplog.at_level(logging.DEBUG):
        register_devices.call(ship(personas, "knox", "K-1", ["356938035643809"]))
    assert statuses()["356938035643809"][0] == "registered"
    assert "knox-secret-value" not in caplog.text and "knox-token-1" not in caplog.text
    assert "devices/upload" in caplog.text  # the calls themselves are logged


# --- Transient failures: retried with backoff -------------------------------------------------------------------


def test_5xx_and_429_are_retried_until_registered(personas, knox, django_capture_on_commit_callbacks):
    knox.faults = [("/devices/upload", 503), ("/devices/upload", 429)]
    ids = ship(personas, "knox", "K-1", ["356938035643809"])
    with django_capture_on_commit_callbacks(execute=True):
        register_devices.call(ids)
    enrolment = Enrolment.objects.get()
    assert (enrolment.status, enrolment.attempts, enrolment.error) == ("registered", 2, "")
    assert len(knox.calls("/devices/upload")) == 3
    assert len(knox.devices) == 1


def test_a_retry_is_queued_with_exponential_backoff(personas, knox, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    knox.faults = [("/devices/upload", 502), ("/devices/upload", 500)]
    ids = ship(personas, "knox", "K-1", ["356938035643809"])
    DBTaskResult.objects.all().delete()  # the shipment's own tasks (e-mail, this enrolment)
    delays = []
    for _ in range(2):
        started = timezone.now()
        register_devices.call(ids)
        queued = DBTaskResult.objects.order_by("-enqueued_at").first()
        assert queued.task_path == "products.tasks.register_devices" and queued.args_kwargs["args"] == [ids]
        delays.append(round((queued.run_after - started).total_seconds()))
    assert delays == [60, 120]
    enrolment = Enrolment.objects.get()
    assert (enrolment.status, enrolment.attempts) == ("pending", 2)
    assert enrolment.reason == "will try again: Samsung Knox: HTTP 500"


def test_a_timeout_is_temporary(personas, knox, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    knox.faults = [("/devices/upload", "slow")]
    ids = ship(personas, "knox", "K-1", ["356938035643809"])
    register_devices.call(ids)
    enrolment = Enrolment.objects.get()
    assert (enrolment.status, enrolment.error) == ("pending", "Samsung Knox: no answer within 0.5 s")


def test_it_gives_up_after_the_last_attempt(personas, knox, django_capture_on_commit_callbacks):
    knox.faults = [("/devices/upload", 503)] * 10
    with django_capture_on_commit_callbacks(execute=True):
        register_devices.call(ship(personas, "knox", "K-1", ["356938035643809"]))
    enrolment = Enrolment.objects.get()
    assert (enrolment.status, enrolment.attempts, enrolment.error) == ("failed", 4, "Samsung Knox: HTTP 503")
    assert len(knox.calls("/devices/upload")) == 4


def test_an_unreachable_service_is_temporary(personas, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PRODUCTS_ZERO_TOUCH = {
        "knox": {
            "URL": "http://127.0.0.1:9",
            "TOKEN_URL": "http://127.0.0.1:9/token",
            "CLIENT_ID": "c",
            "CLIENT_SECRET": "s",
            "RESELLER_ID": "r",
        }
    }
    register_devices.call(ship(personas, "knox", "K-1", ["356938035643809"]))
    assert statuses()["356938035643809"][::2] == ("pending", "Samsung Knox: ConnectionError")


# --- Android Zero-touch -----------------------------------------------------------------------------------------


def test_android_claims_with_a_service_account_token(personas, google):
    ids = ship(personas, "android", "1234567", ["356938035643809", "HT7A1B2C3D"])
    register_devices.call(ids)
    assert statuses()["356938035643809"][:2] == ("registered", "dev-1")
    assert statuses()["HT7A1B2C3D"][:2] == ("registered", "dev-2")
    claims = [r.json for r in google.calls("devices:claim")]
    assert claims[0] == {
        "customerId": "1234567",
        "deviceIdentifier": {"imei": "356938035643809"},
        "sectionType": "SECTION_TYPE_ZERO_TOUCH",
    }
    assert claims[1]["deviceIdentifier"] == {"serialNumber": "HT7A1B2C3D", "manufacturer": "Google"}
    assert google.calls("devices:claim")[0].path == "/v1/partners/42/devices:claim"
    assert len(google.calls("/token")) == 1  # verified JWT, one token for both


def test_android_already_claimed_by_the_company_is_registered_by_another_is_refused(personas, google):
    google.claims["356938035643809"] = "1234567"
    google.claims["356938035643817"] = "999"  # another customer's
    register_devices.call(ship(personas, "android", "1234567", ["356938035643809", "356938035643817"]))
    found = statuses()
    assert found["356938035643809"][:2] == ("registered", "dev-1")
    assert found["356938035643817"][::2] == ("failed", "Android Zero-touch: Device is already claimed.")


def test_android_bad_service_account_key_is_refused_by_google(personas, google, settings, tmp_path):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = settings.PRODUCTS_ZERO_TOUCH["android"]["SERVICE_ACCOUNT_FILE"]
    account = json.loads(open(path).read())
    account["private_key"] = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    open(path, "w").write(json.dumps(account))
    register_devices.call(ship(personas, "android", "1234567", ["356938035643809"]))
    assert statuses()["356938035643809"][::2] == (
        "failed",
        "Android Zero-touch: the sign-in was refused (HTTP 400: Invalid JWT Signature.)",
    )
    assert not google.claims


# --- Idempotency and faults -------------------------------------------------------------------------------------


def test_the_same_task_run_twice_registers_each_device_once(personas, google, knox, apple):
    for provider, org, serials in (
        ("android", "1234567", ["356938035643809"]),
        ("knox", "K-1", ["356938035643817"]),
        ("apple", "ABM-1", ["F2LXK0AAHG7F"]),
    ):
        ids = ship(personas, provider, org, serials)
        register_devices.call(ids)
        register_devices.call(ids)
    assert len(google.calls("devices:claim")) == 1 and len(knox.calls("devices/upload")) == 1
    assert len(apple.calls("bulk-enroll-devices")) == 1  # the second run only polls the transaction
    assert Enrolment.objects.filter(status="registered").count() == 2
    assert Enrolment.objects.get(serial="F2LXK0AAHG7F").transaction_id == "tx-1"


def test_a_crash_after_the_vendor_accepted_registers_once_on_the_rerun(personas, google):
    """The worker dies after Google claimed the device but before the row was saved (the transaction rolls
    back): the re-run's claim is refused as "already claimed", found claimed by the company: registered,
    and Google holds one claim."""
    ids = ship(personas, "android", "1234567", ["356938035643809"])
    with mock.patch.object(Enrolment, "save", side_effect=RuntimeError("worker killed")):
        with pytest.raises(RuntimeError):
            register_devices.call(ids)
    assert statuses()["356938035643809"][0] == "pending"
    register_devices.call(ids)
    assert statuses()["356938035643809"][:2] == ("registered", "dev-1")
    assert google.claims == {"356938035643809": "1234567"}
    assert len(google.calls("devices:claim")) == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises writers)")
def test_two_workers_running_the_task_at_once_send_the_device_once(personas, knox):
    """A reclaimed task and its slow original at the same time: the row lock makes the second wait and skip."""
    knox.delay = 0.3
    ids = ship(personas, "knox", "K-1", ["356938035643809"])
    # Without a test transaction the shipment's task ran on commit already: start again from pending.
    Enrolment.objects.update(status="pending", external_id="", registered_at=None)
    knox.devices.clear()
    knox.requests.clear()
    barrier, results, errors = threading.Barrier(2), [], []

    def run() -> None:
        try:
            barrier.wait()
            results.append(register_devices.call(ids))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sorted(results, key=str) == [{"registered": 1}, {"skipped": 1}]
    assert len(knox.calls("devices/upload")) == 1 and statuses()["356938035643809"][0] == "registered"


# --- Not configured ---------------------------------------------------------------------------------------------


def test_an_unconfigured_provider_leaves_the_device_pending_and_warns(personas, settings, login):
    ids = ship(personas, "apple", "ABM-1", ["SN1"])
    register_devices.call(ids)
    enrolment = Enrolment.objects.get()
    assert (enrolment.status, enrolment.error, enrolment.external_id) == ("pending", "not configured", "")
    assert enrolment.reason == "not configured: the operator has not set up this service yet"
    html = login(personas.admin_a).get(reverse("products:order_detail", args=[enrolment.line.order_id])).content
    assert b"not configured: the operator has not set up this service yet" in html
    warnings = check_zero_touch()
    assert [w.id for w in warnings] == ["products.W001"] * 3
    assert "Apple Business Manager" in warnings[0].msg


def test_configuring_the_provider_and_requeueing_registers_the_waiting_device(
    personas, knox, settings, django_capture_on_commit_callbacks
):
    options = settings.PRODUCTS_ZERO_TOUCH["knox"]
    settings.PRODUCTS_ZERO_TOUCH = {}
    ids = ship(personas, "knox", "K-1", ["356938035643809"])
    register_devices.call(ids)
    assert statuses()["356938035643809"][::2] == ("pending", "not configured")
    settings.PRODUCTS_ZERO_TOUCH = {"knox": options}
    assert [w.msg for w in check_zero_touch() if "Knox" in w.msg] == []
    with django_capture_on_commit_callbacks(execute=True):
        call_command("register_devices", stdout=open("/dev/null", "w"))
    assert statuses()["356938035643809"][0] == "registered"


def test_the_check_is_quiet_for_another_adapter(settings):
    settings.PRODUCTS_ZERO_TOUCH_ADAPTER = "products.zerotouch.FakeAdapter"
    assert check_zero_touch() == []
