from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from audit.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Access is granted by the operator's staff, never by self sign-up.
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        # Rate limits ("10/m/ip") key on the real client behind the trusted proxies, not on the
        # proxy's address (which would throttle everyone together) nor on a client-chosen header.
        return client_ip(request) or "unknown"
