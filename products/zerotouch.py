"""Zero-touch enrolment: registering ordered devices to the company's Apple Business Manager, Samsung Knox
or Android Zero-touch account, so they set themselves up with the company's device management.

``settings.PRODUCTS_ZERO_TOUCH_ADAPTER`` (a dotted path) names the adapter. The production default is
``ProviderRouter``, which hands each device to the real reseller API of its provider:

- ``AppleDepAdapter``: Apple's Deployment Programs reseller API (bulk-enroll-devices, then
  check-transaction-status until the transaction completes; show-order-details to recognise an order posted
  by an earlier try), JSON over HTTPS with the reseller's client certificate, sold-to and ship-to ids.
- ``KnoxDeploymentAdapter``: the Samsung Knox Deployment Program (Gen2) device upload, with a Knox OAuth 2.0
  client-credentials token.
- ``AndroidZeroTouchAdapter``: Google's Android Device Provisioning Partner API (``partners.devices.claim``,
  ``findByIdentifier`` for "already claimed"), with a service-account OAuth token.

A provider whose settings are missing raises ``NotConfigured``: the enrolment stays pending (never a pretend
success) and ``products.W001`` warns at start. ``FakeAdapter`` is for tests and the demo only.

Errors: ``TransientError`` (timeouts, connection errors, 5xx, 429) is retried with backoff by the task;
``EnrolmentError`` (the provider refused the device) is final and its message is shown on the order page.
No credential, token or certificate content is ever put in an error message or a log line.
"""

import datetime as dt
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import jwt
import requests
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class EnrolmentError(Exception):
    """The service refused the device (the message, the provider's reason, is shown on the order)."""


class TransientError(Exception):
    """The service could not answer now (network, timeout, 5xx, 429): tried again later."""


class NotConfigured(Exception):
    """The operator has not configured this provider's credentials: the enrolment waits."""


@dataclass(frozen=True)
class Device:
    provider: str  # "apple", "knox", "android"
    org_id: str  # the company's organisation / customer id at the provider
    serial: str  # serial number or IMEI
    key: str  # one per enrolment, the same on every try: the order number sent to the provider
    transaction: str = ""  # the provider's asynchronous transaction an earlier try started (Apple)


@dataclass(frozen=True)
class Outcome:
    reference: str  # the provider's reference for the device (or its transaction while pending)
    pending: bool = False  # accepted, still being processed: ask again later with `transaction=reference`


class Adapter(Protocol):
    def register(self, device: Device) -> Outcome:
        """Registers one device; returns the outcome or raises EnrolmentError / TransientError / NotConfigured."""


class FakeAdapter:
    """Tests and the demo: records what it was asked and refuses serials that start with ``FAIL``."""

    registered: ClassVar[list[tuple[str, str, str]]] = []

    def register(self, device: Device) -> Outcome:
        if device.serial.upper().startswith("FAIL"):
            raise EnrolmentError(f"{device.provider} refused device {device.serial}")
        FakeAdapter.registered.append((device.provider, device.org_id, device.serial))
        return Outcome(reference=f"{device.provider}-{secrets.token_hex(4)}")


# --- HTTP -------------------------------------------------------------------------------------------------------


def _options(provider: str) -> dict[str, Any]:
    return dict(getattr(settings, "PRODUCTS_ZERO_TOUCH", {}).get(provider) or {})


class _Http:
    """One provider's HTTP calls: timeouts and transport errors, 5xx and 429 become TransientError."""

    def __init__(
        self, name: str, timeout: float, cert: tuple[str, str] | None = None, verify: str | bool = True
    ) -> None:
        self.name, self.timeout, self.cert, self.verify = name, timeout, cert, verify
        self.session = requests.Session()

    def call(self, method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
        try:
            response = self.session.request(
                method, url, timeout=self.timeout, cert=self.cert, verify=self.verify, **kwargs
            )
        except requests.Timeout as error:
            raise TransientError(f"{self.name}: no answer within {self.timeout:g} s") from error
        except requests.RequestException as error:
            # The exception's text can carry the request; only its kind is kept.
            raise TransientError(f"{self.name}: {type(error).__name__}") from error
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise TransientError(f"{self.name}: HTTP {response.status_code}")
        try:
            body = response.json() if response.content else {}
        except ValueError as error:
            if response.ok:
                raise TransientError(f"{self.name}: unreadable answer") from error
            body = {}
        logger.info("%s %s %s -> %s", self.name, method, url, response.status_code)
        return response.status_code, body


class _TokenCache:
    """Access tokens per (token URL, client), reused until a minute before they expire."""

    _tokens: ClassVar[dict[tuple[str, str], tuple[str, float]]] = {}
    _lock = threading.Lock()

    @classmethod
    def get(cls, key: tuple[str, str]) -> str | None:
        with cls._lock:
            token, expires = cls._tokens.get(key, ("", 0.0))
        return token if token and expires > time.monotonic() + 60 else None

    @classmethod
    def put(cls, key: tuple[str, str], token: str, expires_in: float) -> None:
        with cls._lock:
            cls._tokens[key] = (token, time.monotonic() + expires_in)

    @classmethod
    def drop(cls, key: tuple[str, str]) -> None:
        with cls._lock:
            cls._tokens.pop(key, None)


def _token(http: _Http, key: tuple[str, str], url: str, form: dict[str, str]) -> str:
    cached = _TokenCache.get(key)
    if cached:
        return cached
    status, body = http.call("POST", url, data=form, headers={"Accept": "application/json"})
    token = body.get("access_token") if isinstance(body, dict) else None
    if status != 200 or not token:
        # A refused credential is the operator's setup, not the device: its reason, never the credential.
        reason = body.get("error_description") or body.get("error") if isinstance(body, dict) else ""
        raise EnrolmentError(
            f"{http.name}: the sign-in was refused (HTTP {status}{': ' + str(reason) if reason else ''})"
        )
    _TokenCache.put(key, str(token), float(body.get("expires_in") or 600))
    return str(token)


def _required(provider: str, options: dict[str, Any], keys: tuple[str, ...]) -> None:
    if not all(options.get(key) for key in keys):
        raise NotConfigured(provider)


# --- Apple ------------------------------------------------------------------------------------------------------


class AppleDepAdapter:
    """Apple's Deployment Programs reseller API (``URL`` ends in ``/enroll-service/1.0``).

    The device is posted as its own order (order number = ``Device.key``, so a re-post is recognised), the
    company's ABM organisation id as ``customerId``. The post answers with a transaction id; its status is
    polled with check-transaction-status until COMPLETE (registered) or an error for the device (failed).
    """

    REQUIRED = ("URL", "SOLD_TO", "SHIP_TO", "CERT_FILE", "KEY_FILE")
    name = "Apple"

    def __init__(self, **options: Any) -> None:
        _required("apple", options, self.REQUIRED)
        self.url = str(options["URL"]).rstrip("/")
        self.sold_to, self.ship_to = str(options["SOLD_TO"]), str(options["SHIP_TO"])
        self.context = {
            "shipTo": self.ship_to,
            "timeZone": str(options.get("TIME_ZONE", "0")),
            "langCode": str(options.get("LANG_CODE", "en")),
        }
        self.http = _Http(
            self.name,
            float(options.get("TIMEOUT", 20)),
            cert=(str(options["CERT_FILE"]), str(options["KEY_FILE"])),
            verify=str(options.get("CA_FILE") or "") or True,  # a private CA bundle (Apple's UAT), else the system's
        )

    def _post(self, path: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        body = {"requestContext": self.context, "depResellerId": self.sold_to, **payload}
        status, answer = self.http.call("POST", f"{self.url}/{path}", json=body, headers={"Accept": "application/json"})
        return status, answer if isinstance(answer, dict) else {}

    @staticmethod
    def _error(answer: dict[str, Any]) -> tuple[str, str] | None:
        """Apple answers errors as ``{"<operation>ErrorResponse": {"errorCode", "errorMessage"}}``."""
        for key, value in answer.items():
            if key.endswith("ErrorResponse") and isinstance(value, dict):
                return str(value.get("errorCode", "")), str(value.get("errorMessage", ""))
        return None

    def register(self, device: Device) -> Outcome:
        if device.transaction:
            return self._status(device)
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        status, answer = self._post(
            "bulk-enroll-devices",
            {
                "transactionId": f"{device.key}-{secrets.token_hex(4)}",
                "orders": [
                    {
                        "orderNumber": device.key,
                        "orderDate": now,
                        "orderType": "OR",
                        "customerId": device.org_id,
                        "poNumber": device.key,
                        "deliveries": [
                            {
                                "deliveryNumber": device.key,
                                "shipDate": now,
                                "devices": [{"deviceId": device.serial, "assetTag": ""}],
                            }
                        ],
                    }
                ],
            },
        )
        error = self._error(answer)
        transaction = str(answer.get("deviceEnrollmentTransactionId", ""))
        result = answer.get("enrollDevicesResponse") or {}
        if status == 200 and not error and transaction and result.get("statusCode", "SUCCESS") == "SUCCESS":
            return Outcome(reference=transaction, pending=True)
        # Refused: maybe because an earlier try (whose answer was lost) posted this order already.
        if self._already_enrolled(device):
            return Outcome(reference=device.key)
        code, message = error or (str(result.get("statusCode", f"HTTP {status}")), str(result.get("statusMessage", "")))
        raise EnrolmentError(f"Apple: {code} {message}".strip())

    def _status(self, device: Device) -> Outcome:
        status, answer = self._post("check-transaction-status", {"deviceEnrollmentTransactionId": device.transaction})
        error = self._error(answer)
        if status != 200 or error:
            code, message = error or (f"HTTP {status}", "")
            raise EnrolmentError(f"Apple: {code} {message}".strip())
        state = str(answer.get("statusCode", ""))
        if state == "COMPLETE":
            return Outcome(reference=device.transaction)
        if state in ("", "IN_PROGRESS"):
            return Outcome(reference=device.transaction, pending=True)
        for order in answer.get("orders") or []:
            for delivery in order.get("deliveries") or []:
                for found in delivery.get("devices") or []:
                    if found.get("deviceId") == device.serial:
                        if found.get("devicePostStatus") == "COMPLETE":
                            return Outcome(reference=device.transaction)
                        raise EnrolmentError(
                            f"Apple: {found.get('devicePostStatus', state)} {found.get('devicePostStatusMessage', '')}".strip()
                        )
        raise EnrolmentError(f"Apple: {state} {answer.get('statusMessage', '')}".strip())

    def _already_enrolled(self, device: Device) -> bool:
        status, answer = self._post("show-order-details", {"orderNumbers": [device.key]})
        if status != 200 or self._error(answer):
            return False
        for order in answer.get("orders") or []:
            if order.get("orderNumber") != device.key or str(order.get("customerId", "")) != device.org_id:
                continue
            for delivery in order.get("deliveries") or []:
                if any(found.get("deviceId") == device.serial for found in delivery.get("devices") or []):
                    return True
        return False


# --- Samsung Knox -----------------------------------------------------------------------------------------------


class KnoxDeploymentAdapter:
    """Samsung Knox Deployment Program (Gen2): ``PUT {URL}/kcs/v1/rp/devices/upload`` for the customer id.

    The token comes from Knox OAuth 2.0 (``TOKEN_URL``, client credentials, scope ``SCOPE``). A device the
    service already has for this upload answers with a code in ``ALREADY_CODES``: counted as registered.
    """

    REQUIRED = ("URL", "TOKEN_URL", "CLIENT_ID", "CLIENT_SECRET", "RESELLER_ID")
    ALREADY_CODES = frozenset({"DEVICE_ALREADY_EXISTS", "DEVICE_ALREADY_UPLOADED", "DUPLICATE_DEVICE"})
    name = "Samsung Knox"

    def __init__(self, **options: Any) -> None:
        _required("knox", options, self.REQUIRED)
        self.url, self.token_url = str(options["URL"]).rstrip("/"), str(options["TOKEN_URL"])
        self.client_id, self.client_secret = str(options["CLIENT_ID"]), str(options["CLIENT_SECRET"])
        self.scope, self.reseller_id = str(options.get("SCOPE", "kdp")), str(options["RESELLER_ID"])
        self.http = _Http(self.name, float(options.get("TIMEOUT", 20)))

    def _headers(self) -> dict[str, str]:
        token = _token(
            self.http,
            (self.token_url, self.client_id),
            self.token_url,
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "scope": self.scope,
            },
        )
        return {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def register(self, device: Device) -> Outcome:
        payload = {
            "resellerId": self.reseller_id,
            "customerId": device.org_id,
            "orderNo": device.key,
            "orderTime": int(time.time() * 1000),
            "devices": [{"deviceUid": device.serial}],
        }
        url = f"{self.url}/kcs/v1/rp/devices/upload"
        status, answer = self.http.call("PUT", url, json=payload, headers=self._headers())
        if status == 401:  # the cached token was revoked or expired early: one fresh token
            _TokenCache.drop((self.token_url, self.client_id))
            status, answer = self.http.call("PUT", url, json=payload, headers=self._headers())
        answer = answer if isinstance(answer, dict) else {}
        code = str(answer.get("code") or answer.get("errorCode") or "")
        if 200 <= status < 300 and code in ("", "SUCCESS", "0"):
            return Outcome(reference=str(answer.get("transactionId") or device.key))
        if code in self.ALREADY_CODES:
            return Outcome(reference=device.key)
        message = str(answer.get("message") or answer.get("errorMessage") or "")
        raise EnrolmentError(f"Samsung Knox: {code or f'HTTP {status}'} {message}".strip())


# --- Android Zero-touch -----------------------------------------------------------------------------------------


class AndroidZeroTouchAdapter:
    """Google's Android Device Provisioning Partner API: ``partners.devices.claim`` for the customer id.

    The OAuth token is a service-account JWT (RS256, scope androidworkprovisioning) exchanged at the key's
    ``token_uri``. A claim refused because the device is claimed already is checked with
    ``devices:findByIdentifier``: claimed by this customer in the zero-touch section counts as registered.
    """

    REQUIRED = ("URL", "PARTNER_ID", "SERVICE_ACCOUNT_FILE")
    SCOPE = "https://www.googleapis.com/auth/androidworkprovisioning"
    SECTION = "SECTION_TYPE_ZERO_TOUCH"
    name = "Android Zero-touch"

    def __init__(self, **options: Any) -> None:
        _required("android", options, self.REQUIRED)
        self.url, self.partner_id = str(options["URL"]).rstrip("/"), str(options["PARTNER_ID"])
        self.key_file, self.manufacturer = str(options["SERVICE_ACCOUNT_FILE"]), str(options.get("MANUFACTURER", ""))
        self.http = _Http(self.name, float(options.get("TIMEOUT", 20)))

    def _account(self) -> dict[str, str]:
        import json

        try:
            with open(self.key_file, encoding="utf-8") as handle:
                account = json.load(handle)
        except (OSError, ValueError) as error:
            raise NotConfigured("android") from error
        if not all(account.get(key) for key in ("client_email", "private_key", "token_uri")):
            raise NotConfigured("android")
        return account

    def _headers(self) -> dict[str, str]:
        account = self._account()
        key = (account["token_uri"], account["client_email"])
        token = _TokenCache.get(key)
        if not token:
            now = int(time.time())
            assertion = jwt.encode(
                {
                    "iss": account["client_email"],
                    "scope": self.SCOPE,
                    "aud": account["token_uri"],
                    "iat": now,
                    "exp": now + 3600,
                },
                account["private_key"],
                algorithm="RS256",
                headers={"kid": account.get("private_key_id", "")},
            )
            token = _token(
                self.http,
                key,
                account["token_uri"],
                {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
            )
        return {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def identifier(self, serial: str) -> dict[str, str]:
        # An IMEI is 15 digits (14 without its check digit); anything else is a serial number, which Google
        # matches together with the manufacturer.
        if serial.isdigit() and len(serial) in (14, 15):
            return {"imei": serial}
        found = {"serialNumber": serial}
        if self.manufacturer:
            found["manufacturer"] = self.manufacturer
        return found

    def _call(self, path: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        url = f"{self.url}/v1/partners/{self.partner_id}/{path}"
        status, answer = self.http.call("POST", url, json=payload, headers=self._headers())
        return status, answer if isinstance(answer, dict) else {}

    def register(self, device: Device) -> Outcome:
        identifier = self.identifier(device.serial)
        status, answer = self._call(
            "devices:claim",
            {"customerId": device.org_id, "deviceIdentifier": identifier, "sectionType": self.SECTION},
        )
        if status == 200 and answer.get("deviceId"):
            return Outcome(reference=str(answer["deviceId"]))
        found = answer.get("error")
        error: dict[str, Any] = found if isinstance(found, dict) else {}
        if status == 409 or error.get("status") in ("ALREADY_EXISTS", "FAILED_PRECONDITION"):
            claimed = self._claimed_by(identifier, device.org_id)
            if claimed:
                return Outcome(reference=claimed)
        reason = error.get("message") or error.get("status") or f"HTTP {status}"
        raise EnrolmentError(f"Android Zero-touch: {reason}")

    def _claimed_by(self, identifier: dict[str, str], customer: str) -> str:
        status, answer = self._call("devices:findByIdentifier", {"deviceIdentifier": identifier, "limit": 1})
        if status != 200:
            return ""
        for found in answer.get("devices") or []:
            for claim in found.get("claims") or []:
                if str(claim.get("ownerCompanyId")) == customer and claim.get("sectionType") == self.SECTION:
                    return str(found.get("deviceId", ""))
        return ""


# --- The router -------------------------------------------------------------------------------------------------


class ProviderRouter:
    """The production adapter: each device to its provider's real adapter, built from PRODUCTS_ZERO_TOUCH."""

    ADAPTERS: ClassVar[dict[str, type]] = {
        "apple": AppleDepAdapter,
        "knox": KnoxDeploymentAdapter,
        "android": AndroidZeroTouchAdapter,
    }

    def __init__(self) -> None:
        self._adapters: dict[str, Adapter] = {}

    @classmethod
    def configured(cls, provider: str) -> bool:
        adapter = cls.ADAPTERS.get(provider)
        options = _options(provider)
        return adapter is not None and all(options.get(key) for key in adapter.REQUIRED)  # type: ignore[attr-defined]

    def register(self, device: Device) -> Outcome:
        if device.provider not in self._adapters:
            if device.provider not in self.ADAPTERS:
                raise NotConfigured(device.provider)
            self._adapters[device.provider] = self.ADAPTERS[device.provider](**_options(device.provider))
        return self._adapters[device.provider].register(device)


def adapter() -> Adapter:
    path = getattr(settings, "PRODUCTS_ZERO_TOUCH_ADAPTER", "products.zerotouch.ProviderRouter")
    return import_string(path)()
