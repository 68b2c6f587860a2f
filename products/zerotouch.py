"""Zero-touch enrolment: registering ordered devices to the company's Apple Business Manager, Samsung Knox
or Android Zero-touch account, so they set themselves up with the company's device management.

The portal talks to the services through an adapter (``settings.PRODUCTS_ZERO_TOUCH_ADAPTER``, a dotted
path). The operator's reseller integrations implement ``Adapter``; the default ``FakeAdapter`` records what
it was asked (tests and the demo) and refuses serials that start with ``FAIL``.
"""

import secrets
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class EnrolmentError(Exception):
    """The service refused the device (the message is shown to staff)."""


class Adapter(Protocol):
    def register(self, *, provider: str, org_id: str, serial: str) -> str:
        """Registers one device; returns the service's reference for it or raises EnrolmentError."""


class FakeAdapter:
    registered: list[tuple[str, str, str]] = []

    def register(self, *, provider: str, org_id: str, serial: str) -> str:
        if serial.upper().startswith("FAIL"):
            raise EnrolmentError(f"{provider} refused device {serial}")
        FakeAdapter.registered.append((provider, org_id, serial))
        return f"{provider}-{secrets.token_hex(4)}"


def adapter() -> Adapter:
    path = getattr(settings, "PRODUCTS_ZERO_TOUCH_ADAPTER", "products.zerotouch.FakeAdapter")
    return import_string(path)()
