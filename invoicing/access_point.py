"""Delivery of e-invoice XML through an access point (Peppol, or NemHandel for OIOUBL), behind one interface.

``settings.EINVOICE_ACCESS_POINT = {"BACKEND": dotted path, "OPTIONS": {...}}`` picks the adapter:

- ``HttpAccessPoint``: hands the document to the access point's API (``URL``, ``TOKEN``): POST the XML to
  ``{URL}/documents`` with the receiver's identifier and scheme in headers, answer ``{"id", "status",
  "reason"}``; the ``Idempotency-Key`` header is the same for every try of one delivery, so a document handed
  over by a worker that died before it could record the receipt is not delivered twice when the task re-runs; GET ``{URL}/documents/{id}`` for the status later (the receiver's acknowledgement or rejection).
- ``FakeAccessPoint``: local, for tests and the demo; it accepts every document, acknowledges it, and rejects a
  receiver listed in ``REJECT`` (identifier → reason), like a receiver that does not take the document.
"""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

SENT, ACKNOWLEDGED, REJECTED = "sent", "acknowledged", "rejected"


class AccessPointError(Exception):
    """The access point could not take the document now (network, 5xx): retried later."""


@dataclass(frozen=True)
class Receipt:
    message_id: str
    status: str  # SENT, ACKNOWLEDGED or REJECTED
    reason: str = ""


@dataclass(frozen=True)
class Envelope:
    document: bytes
    document_format: str  # "peppol" or "oioubl"
    receiver: str  # EAN/GLN or CVR
    scheme: str  # "0088" (GLN) or "0184" (CVR)
    number: int  # the invoice number, for the access point's log
    key: str = ""  # one per delivery, the same on every try: the access point keeps one document per key


class AccessPoint(Protocol):
    def send(self, envelope: Envelope) -> Receipt: ...

    def status(self, message_id: str) -> Receipt: ...


class HttpAccessPoint:
    def __init__(self, *, URL: str, TOKEN: str = "", TIMEOUT: int = 30) -> None:
        self.url, self.token, self.timeout = URL.rstrip("/"), TOKEN, TIMEOUT

    def _call(self, request: urllib.request.Request) -> Receipt:
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code >= 500 or error.code == 429:
                raise AccessPointError(f"HTTP {error.code}") from error
            # A 4xx is the access point refusing this document: final, with its reason.
            return Receipt(message_id="", status=REJECTED, reason=error.read().decode("utf-8", "replace")[:500])
        except (OSError, ValueError) as error:
            raise AccessPointError(str(error)) from error
        return Receipt(
            message_id=str(answer.get("id", "")),
            status=str(answer.get("status", SENT)),
            reason=str(answer.get("reason", ""))[:500],
        )

    def send(self, envelope: Envelope) -> Receipt:
        request = urllib.request.Request(
            f"{self.url}/documents",
            data=envelope.document,
            method="POST",
            headers={
                "Content-Type": "application/xml",
                "X-Document-Format": envelope.document_format,
                "X-Receiver-Id": envelope.receiver,
                "X-Receiver-Scheme": envelope.scheme,
                "X-Document-Number": str(envelope.number),
                "Idempotency-Key": envelope.key,
            },
        )
        return self._call(request)

    def status(self, message_id: str) -> Receipt:
        return self._call(urllib.request.Request(f"{self.url}/documents/{message_id}", method="GET"))


class FakeAccessPoint:
    """Keeps what it was handed in ``outbox`` (a class list, so tests can read it); one document per key."""

    outbox: ClassVar[list[Envelope]] = []

    def __init__(self, *, REJECT: dict[str, str] | None = None, FAIL: bool = False) -> None:
        self.reject = REJECT or {}
        self.fail = FAIL

    def send(self, envelope: Envelope) -> Receipt:
        if self.fail:
            raise AccessPointError("access point unavailable")
        for index, earlier in enumerate(self.outbox, start=1):
            if envelope.key and earlier.key == envelope.key:
                return Receipt(message_id=f"fake-{index}-{earlier.number}", status=SENT)
        self.outbox.append(envelope)
        return Receipt(message_id=f"fake-{len(self.outbox)}-{envelope.number}", status=SENT)

    def status(self, message_id: str) -> Receipt:
        envelope = next((e for e in self.outbox if message_id.endswith(f"-{e.number}")), None)
        if envelope is not None and envelope.receiver in self.reject:
            return Receipt(message_id=message_id, status=REJECTED, reason=self.reject[envelope.receiver])
        return Receipt(message_id=message_id, status=ACKNOWLEDGED)


def get_access_point() -> Any:
    config = getattr(settings, "EINVOICE_ACCESS_POINT", {})
    backend = import_string(config.get("BACKEND", "invoicing.access_point.FakeAccessPoint"))
    return backend(**config.get("OPTIONS", {}))
