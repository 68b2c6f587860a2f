"""What single sign-on tells the apps above it (``registry.events``)."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from registry.events import Event


@dataclass(frozen=True, kw_only=True)
class IdentityAsserted(Event):
    """The company's identity provider answered for ``email``, a verified domain of ``company`` (before any admin
    check). A listener that owns this sign-in (the employees' pages) finishes it by raising allauth's
    ``ImmediateHttpResponse``; when none does, the admin sign-in goes on as before."""

    request: HttpRequest
    company: Any  # companies.models.Company
    email: str
