"""Fake zero-touch vendor servers for the tests: real HTTP(S) servers on 127.0.0.1 in a thread.

Each checks what the real service checks (authentication, the request's shape) and answers in the vendor's
shape (see docs/products.md for which shapes are confirmed from public documentation). ``faults`` scripts
trouble for the next requests: ``(path fragment, HTTP status)`` answers that status, ``(path fragment,
"slow")`` answers after ``slow_seconds`` (longer than the adapter's timeout).
"""

import datetime as dt
import http.server
import ipaddress
import json
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode()))


@dataclass
class FakeVendor:
    faults: list[tuple[str, int | str]] = field(default_factory=list)
    slow_seconds: float = 1.5
    delay: float = 0.0  # every answer waits this long (widens the window for concurrent callers)
    requests: list[Request] = field(default_factory=list)
    tls: ssl.SSLContext | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, request: Request) -> tuple[int, Any]:
        raise NotImplementedError

    def _fault(self, path: str) -> int | str | None:
        with self.lock:
            for index, (fragment, what) in enumerate(self.faults):
                if fragment in path:
                    del self.faults[index]
                    return what
        return None

    def start(self) -> "FakeVendor":
        vendor = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = Request(self.command, self.path, dict(self.headers.items()), body)
                vendor.requests.append(request)
                fault = vendor._fault(self.path)
                if fault == "slow":
                    time.sleep(vendor.slow_seconds)
                    status, answer = 200, {}
                elif isinstance(fault, int):
                    status, answer = fault, {"error": "scripted"}
                else:
                    time.sleep(vendor.delay)
                    with vendor.lock:
                        status, answer = vendor.handle(request)
                data = json.dumps(answer).encode() if answer is not None else b""
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout)

            do_GET = do_POST = do_PUT = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if self.tls is not None:
            self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.server.server_address[1]}"

    def calls(self, fragment: str) -> list[Request]:
        return [r for r in self.requests if fragment in r.path]


# --- Apple ------------------------------------------------------------------------------------------------------


@dataclass
class FakeApple(FakeVendor):
    """Apple's DEP reseller API behind mutual TLS: only a client certificate signed by the test CA gets in."""

    sold_to: str = "SOLD-1"
    ship_to: str = "SHIP-1"
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    polls_before_complete: int = 1
    refuse: dict[str, str] = field(default_factory=dict)  # serial -> DEP error of the device in the transaction

    def _context_ok(self, body: dict[str, Any]) -> bool:
        context = body.get("requestContext") or {}
        return (
            context.get("shipTo") == self.ship_to
            and bool(context.get("langCode"))
            and "timeZone" in context
            and body.get("depResellerId") == self.sold_to
        )

    def handle(self, request: Request) -> tuple[int, Any]:
        body = request.json
        if request.method != "POST" or not self._context_ok(body):
            return 400, {"enrollDeviceErrorResponse": {"errorCode": "DEP-ERR-3001", "errorMessage": "Bad context"}}
        if request.path.endswith("/bulk-enroll-devices"):
            order = body["orders"][0]
            shaped = order.get("orderType") == "OR" and order.get("customerId") and body.get("transactionId")
            if not shaped or not order["deliveries"][0]["devices"][0].get("deviceId"):
                return 400, {"enrollDeviceErrorResponse": {"errorCode": "DEP-ERR-3002", "errorMessage": "Bad order"}}
            if order["orderNumber"] in self.orders:
                return 200, {
                    "enrollDeviceErrorResponse": {
                        "errorCode": "DEP-ERR-4003",
                        "errorMessage": "Order number already used.",
                    }
                }
            self.orders[order["orderNumber"]] = order
            transaction = f"tx-{len(self.transactions) + 1}"
            self.transactions[transaction] = {"order": order, "polls": 0}
            return 200, {
                "deviceEnrollmentTransactionId": transaction,
                "enrollDevicesResponse": {"statusCode": "SUCCESS", "statusMessage": "Transaction posted"},
            }
        if request.path.endswith("/check-transaction-status"):
            found = self.transactions.get(body.get("deviceEnrollmentTransactionId", ""))
            if found is None:
                return 200, {"checkTransactionErrorResponse": {"errorCode": "DEP-ERR-3003", "errorMessage": "No tx"}}
            found["polls"] += 1
            if found["polls"] <= self.polls_before_complete:
                return 200, {"statusCode": "IN_PROGRESS"}
            order = found["order"]
            devices = [
                {
                    "deviceId": d["deviceId"],
                    "devicePostStatus": "COMPLETE" if d["deviceId"] not in self.refuse else "ERROR",
                    "devicePostStatusMessage": self.refuse.get(d["deviceId"], ""),
                }
                for d in order["deliveries"][0]["devices"]
            ]
            errors = any(d["devicePostStatus"] != "COMPLETE" for d in devices)
            return 200, {
                "deviceEnrollmentTransactionID": body["deviceEnrollmentTransactionId"],
                "statusCode": "COMPLETE_WITH_ERRORS" if errors else "COMPLETE",
                "orders": [{"orderNumber": order["orderNumber"], "deliveries": [{"devices": devices}]}],
            }
        if request.path.endswith("/show-order-details"):
            return 200, {"orders": [self.orders[n] for n in body.get("orderNumbers", []) if n in self.orders]}
        return 404, {}


def make_pki(directory: Path) -> dict[str, str]:
    """A test CA, a server certificate for 127.0.0.1 and a client certificate (the reseller's), as PEM files."""

    def key() -> rsa.RSAPrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def cert(subject: str, public: Any, issuer: str, signer: Any, *, ca: bool = False, ip: bool = False) -> Any:
        now = dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            # Python's default context verifies strictly (RFC 5280): key identifiers and key usage are needed.
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=not ca,
                    content_commitment=False,
                    key_encipherment=not ca,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=ca,
                    crl_sign=ca,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        )
        if ip:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key, server_key, client_key = key(), key(), key()
    ca = cert("Test CA", ca_key.public_key(), "Test CA", ca_key, ca=True)
    files = {
        "ca": ca.public_bytes(serialization.Encoding.PEM),
        "server": cert("127.0.0.1", server_key.public_key(), "Test CA", ca_key, ip=True).public_bytes(
            serialization.Encoding.PEM
        ),
        "client": cert("reseller", client_key.public_key(), "Test CA", ca_key).public_bytes(serialization.Encoding.PEM),
    }
    paths = {}
    for name, data in files.items():
        (directory / f"{name}.pem").write_bytes(data)
        paths[name] = str(directory / f"{name}.pem")
    for name, private in (("server", server_key), ("client", client_key)):
        (directory / f"{name}.key").write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        paths[f"{name}_key"] = str(directory / f"{name}.key")
    return paths


def server_tls(pki: dict[str, str]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["server"], pki["server_key"])
    context.load_verify_locations(pki["ca"])
    context.verify_mode = ssl.CERT_REQUIRED  # mutual TLS, as Apple's reseller API
    return context


# --- Samsung Knox -----------------------------------------------------------------------------------------------


@dataclass
class FakeKnox(FakeVendor):
    client_id: str = "knox-client"
    client_secret: str = "knox-secret-value"
    reseller_id: str = "RES-1"
    tokens: set[str] = field(default_factory=set)
    devices: dict[str, str] = field(default_factory=dict)  # deviceUid -> customerId

    def handle(self, request: Request) -> tuple[int, Any]:
        if request.path == "/ams/v1/oauth2/token":
            form = request.form
            if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != (
                "client_credentials",
                self.client_id,
                self.client_secret,
            ) or not form.get("scope"):
                return 401, {"error": "invalid_client"}
            token = f"knox-token-{len(self.tokens) + 1}"
            self.tokens.add(token)
            return 200, {"access_token": token, "scope": form["scope"], "expires_in": 599, "token_type": "Bearer"}
        if request.path == "/kcs/v1/rp/devices/upload" and request.method == "PUT":
            if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
                return 401, {"code": "UNAUTHORIZED", "message": "Invalid token"}
            body = request.json
            if body.get("resellerId") != self.reseller_id or not body.get("customerId") or not body.get("orderNo"):
                return 400, {"code": "INVALID_REQUEST", "message": "resellerId, customerId and orderNo are required"}
            uid = body["devices"][0]["deviceUid"]
            if uid.startswith("BAD"):
                return 400, {"code": "INVALID_DEVICE_UID", "message": f"Device {uid} is not a Samsung device"}
            if uid in self.devices:
                return 400, {"code": "DEVICE_ALREADY_EXISTS", "message": "Device already uploaded"}
            self.devices[uid] = body["customerId"]
            return 200, {"code": "SUCCESS", "transactionId": f"knox-tx-{len(self.devices)}"}
        return 404, {}


# --- Google -----------------------------------------------------------------------------------------------------


@dataclass
class FakeGoogle(FakeVendor):
    partner_id: str = "42"
    client_email: str = "zt@operator.iam.gserviceaccount.com"
    public_key: Any = None
    tokens: set[str] = field(default_factory=set)
    claims: dict[str, str] = field(default_factory=dict)  # imei/serial -> customer id

    def _ident(self, identifier: dict[str, str]) -> str:
        return identifier.get("imei") or f"{identifier.get('manufacturer', '')}/{identifier.get('serialNumber', '')}"

    def handle(self, request: Request) -> tuple[int, Any]:
        if request.path == "/token":
            form = request.form
            if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
                return 400, {"error": "unsupported_grant_type"}
            try:
                claims = jwt.decode(
                    form["assertion"], self.public_key, algorithms=["RS256"], audience=self.url + "/token"
                )
            except jwt.PyJWTError:
                return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
            if claims["iss"] != self.client_email or "androidworkprovisioning" not in claims["scope"]:
                return 400, {"error": "invalid_scope"}
            token = f"ya29.test-{len(self.tokens) + 1}"
            self.tokens.add(token)
            return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return 401, {
                "error": {"code": 401, "message": "Request had invalid credentials.", "status": "UNAUTHENTICATED"}
            }
        prefix = f"/v1/partners/{self.partner_id}/devices"
        body = request.json
        if request.path == prefix + ":claim":
            if body.get("sectionType") != "SECTION_TYPE_ZERO_TOUCH" or not body.get("customerId"):
                return 400, {"error": {"code": 400, "message": "Invalid sectionType", "status": "INVALID_ARGUMENT"}}
            identifier = body["deviceIdentifier"]
            if "serialNumber" in identifier and "manufacturer" not in identifier:
                return 400, {
                    "error": {"code": 400, "message": "Manufacturer is required.", "status": "INVALID_ARGUMENT"}
                }
            ident = self._ident(identifier)
            if ident in self.claims:
                return 400, {
                    "error": {"code": 400, "message": "Device is already claimed.", "status": "FAILED_PRECONDITION"}
                }
            self.claims[ident] = body["customerId"]
            return 200, {"deviceId": f"dev-{len(self.claims)}", "deviceName": f"partners/42/devices/{len(self.claims)}"}
        if request.path == prefix + ":findByIdentifier":
            ident = self._ident(body["deviceIdentifier"])
            if ident not in self.claims:
                return 200, {}
            number = list(self.claims).index(ident) + 1
            return 200, {
                "devices": [
                    {
                        "deviceId": f"dev-{number}",
                        "claims": [{"ownerCompanyId": self.claims[ident], "sectionType": "SECTION_TYPE_ZERO_TOUCH"}],
                    }
                ]
            }
        return 404, {}
