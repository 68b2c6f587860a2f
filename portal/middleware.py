from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

Handler = Callable[[HttpRequest], HttpResponse]

HEALTH_PATH = "/health/"


class HealthCheckMiddleware:
    """Answers ``/health/`` before the session, user and company middleware run.

    Those read the database as soon as the browser sends a session cookie, so with the
    database down they raised (a 500) before the health view could say 503. The load
    balancer needs the 503.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH:
            from portal.views import health

            return health(request)
        return self.get_response(request)


class NoStoreDownloadsMiddleware:
    """Every download (PDF, CSV, UBL, authorisation, attachment) is a company's private document:
    ``Cache-Control: no-store, private`` so neither the browser's disk cache nor a shared proxy keeps it.

    One place for all download views, present and future: anything sent as an attachment.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Disposition", "").lower().startswith(("attachment", "inline")):
            response["Cache-Control"] = "no-store, private"
        return response
