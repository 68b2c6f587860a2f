"""A real SAML 2.0 identity provider for the tests: pysaml2's IdP (saml2.server.Server, signing with the
xmlsec1 tool) behind a small WSGI app on a free port.

It takes the portal's AuthnRequest on the HTTP-Redirect binding, shows its own sign-in form, and answers with
a signed assertion on the HTTP-POST binding (an auto-submitting form), as AD FS, Entra ID or Okta do. Knobs
for the refusal tests: ``sign_with_other_key``, ``audience``, ``mfa``.
"""

import datetime
import html
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

HAS_XMLSEC1 = shutil.which("xmlsec1") is not None

PASSWORD_ONLY = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
MULTI_FACTOR = "https://refeds.org/profile/mfa"


def key_pair(directory: Path, name: str) -> tuple[Path, Path]:
    """A fresh RSA key and a self-signed certificate, as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


class SamlIdentityProvider:
    def __init__(self, port: int) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.entity_id = f"{self.base}/idp/metadata"
        self.sso_url = f"{self.base}/sso/redirect"
        self._dir = Path(tempfile.mkdtemp(prefix="saml-idp-"))
        self.key, self.cert = key_pair(self._dir, "idp")
        self.other_key, self.other_cert = key_pair(self._dir, "impostor")
        self.sign_with_other_key = False
        self.audience: str | None = None  # None: the SP that asked
        self.mfa = False
        self.last_response: dict[str, str] = {}  # the last SAMLResponse and RelayState posted to the portal
        self._sp_metadata = ""
        self._servers: dict[bool, Any] = {}
        self._httpd: WSGIServer | None = None

    @property
    def certificate_pem(self) -> str:
        return self.cert.read_text()

    def start(self, sp_metadata: str) -> None:
        self._sp_metadata = sp_metadata
        self._httpd = make_server("127.0.0.1", self.port, self.app, handler_class=_Quiet)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _server(self) -> Any:
        from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
        from saml2.config import IdPConfig
        from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS
        from saml2.server import Server

        other = self.sign_with_other_key
        if other not in self._servers:
            config = IdPConfig()
            config.load(
                {
                    "entityid": self.entity_id,
                    "service": {
                        "idp": {
                            "endpoints": {
                                "single_sign_on_service": [
                                    (self.sso_url, BINDING_HTTP_REDIRECT),
                                    (f"{self.base}/sso/post", BINDING_HTTP_POST),
                                ]
                            },
                            "policy": {
                                "default": {
                                    "lifetime": {"minutes": 5},
                                    "attribute_restrictions": None,
                                    "name_form": NAME_FORMAT_URI,
                                }
                            },
                            "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                            "want_authn_requests_signed": False,
                        }
                    },
                    "key_file": str(self.other_key if other else self.key),
                    "cert_file": str(self.other_cert if other else self.cert),
                    "xmlsec_binary": shutil.which("xmlsec1"),
                    "metadata": {"inline": [self._sp_metadata]},
                    "delete_tmpfiles": True,
                }
            )
            self._servers[other] = Server(config=config)
        return self._servers[other]

    # The WSGI app: GET /sso/redirect (the AuthnRequest) shows the sign-in form; POST /login answers.
    def app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/sso/redirect":
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            body = self._login_page(query.get("SAMLRequest", ""), query.get("RelayState", ""))
        elif path == "/login" and environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
            body = self._answer(form)
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]

    def _login_page(self, saml_request: str, relay_state: str) -> str:
        return f"""<!doctype html><html lang="en"><head><title>Acme identity provider</title></head><body>
<h1>Acme identity provider</h1>
<form method="post" action="/login">
<input type="hidden" name="SAMLRequest" value="{html.escape(saml_request)}">
<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">
<label>E-mail <input name="email" type="email"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in at Acme</button>
</form></body></html>"""

    def _answer(self, form: dict[str, str]) -> str:
        from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
        from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
        from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

        server = self._server()
        request = server.parse_authn_request(form["SAMLRequest"], BINDING_HTTP_REDIRECT).message
        email = form["email"]
        destination = request.assertion_consumer_service_url
        response = server.create_authn_response(
            identity={"mail": [email], "givenName": [email.split("@")[0].title()]},
            in_response_to=request.id,
            destination=destination,
            sp_entity_id=self.audience or request.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            authn={"class_ref": MULTI_FACTOR if self.mfa else PASSWORD_ONLY, "authn_auth": self.entity_id},
            sign_assertion=True,
            sign_response=False,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        http_args = server.apply_binding(
            BINDING_HTTP_POST, str(response), destination, form.get("RelayState", ""), response=True
        )
        page = "".join(http_args["data"]) if isinstance(http_args["data"], list) else str(http_args["data"])
        self.last_response = {"url": destination, **_hidden_fields(page)}
        return page


def _hidden_fields(page: str) -> dict[str, str]:
    import re

    return {
        name: html.unescape(value) for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
    }
