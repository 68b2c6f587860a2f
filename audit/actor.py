from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest

from audit.client_ip import client_ip

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class Actor:
    """Who performs an action, and from where: passed as ``by=`` to actions."""

    user: "User | None"
    ip_address: str | None = None
    label: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> "Actor":
        return cls(user=request.user, ip_address=client_ip(request))  # type: ignore[arg-type]

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(user=None, label=label)

    @property
    def display(self) -> str:
        if self.user is not None:
            return self.user.email
        return self.label or "system"
