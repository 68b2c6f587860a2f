from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation

from audit.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Access is granted by the operator's staff, never by self sign-up.
        return False

    def add_message(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        # "Signed in as …" is written during the sign-in request, which still runs in the browser's language:
        # write it in the account's language, like every page after it.
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        with translation.override(language or translation.get_language()):
            super().add_message(request, *args, **kwargs)

    def get_client_ip(self, request: HttpRequest) -> str:
        # Rate limits ("10/m/ip") key on the real client behind the trusted proxies, not on the
        # proxy's address (which would throttle everyone together) nor on a client-chosen header.
        return client_ip(request) or "unknown"
