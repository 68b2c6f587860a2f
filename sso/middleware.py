from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SamlHostHeaderMiddleware:
    """python3-saml builds its URLs from the Host header and fails without one (an HTTP/1.0 client may send
    none): on allauth's SAML pages it is set from Django's checked host (ALLOWED_HOSTS), so no 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/accounts/saml/") and "HTTP_HOST" not in request.META:
            request.META["HTTP_HOST"] = request.get_host()
        return self.get_response(request)
