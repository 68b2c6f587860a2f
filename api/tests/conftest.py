from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from api.models import APIClient
from api.tests.factories import auth, make_client
from companies.models import Membership


@dataclass
class Caller:
    """A test client that sends one API client's key with every request."""

    client: APIClient
    token: str

    def __post_init__(self) -> None:
        self.http = Client()

    def get(self, path: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.http.get(path, data, **auth(self.token), **extra)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self.http.post(path, body or {}, content_type="application/json", **auth(self.token), **extra)

    def patch(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self.http.patch(
            path, body or {}, content_type="application/merge-patch+json", **auth(self.token), **extra
        )

    def delete(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self.http.delete(path, **auth(self.token), **extra)

    def request(self, method: str, path: str, body: Any = None) -> Any:
        if method == "get":
            return self.get(path)
        return getattr(self, method)(path, body)


@pytest.fixture
def caller() -> Callable[..., Caller]:
    def make(company: Any, **kwargs: Any) -> Caller:
        return Caller(*make_client(company, **kwargs))

    return make


@pytest.fixture
def api_a(personas: Any, caller: Callable[..., Caller]) -> Caller:
    return caller(personas.company_a, name="Alfa HR")


@pytest.fixture
def api_b(personas: Any, caller: Callable[..., Caller]) -> Caller:
    return caller(personas.company_b, name="Beta HR")


@pytest.fixture
def readonly_api_a(personas: Any, caller: Callable[..., Caller]) -> Caller:
    return caller(personas.company_a, access=Membership.Access.READ_ONLY, name="Alfa reader")
