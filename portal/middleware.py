import time
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


REFRESHED_KEY = "_idle_refreshed"


class SlidingSessionMiddleware:
    """Keeps a signed-in session alive for ``SESSION_COOKIE_AGE`` after the last request, without
    writing the session back on every request (``SESSION_SAVE_EVERY_REQUEST`` did: a Redis write, or
    three queries with database sessions, on every page; docs/benchmarks.md).

    The session is written when its expiry was last pushed forward more than
    ``SESSION_REFRESH_INTERVAL`` seconds ago (default 60), or when the request changed it anyway. So the
    idle timeout ends between ``SESSION_COOKIE_AGE - SESSION_REFRESH_INTERVAL`` and ``SESSION_COOKIE_AGE``
    after the last request. Placed after ``SessionMiddleware``, so that middleware saves what this marks.
    """

    clock: Callable[[], float] = staticmethod(time.time)

    def __init__(self, get_response: Handler) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.interval = int(getattr(settings, "SESSION_REFRESH_INTERVAL", 60))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # No session key: nothing stored to keep alive (an anonymous visitor without a cookie).
        if session is None or session.session_key is None:
            return response
        now = int(self.clock())
        try:
            refreshed = int(session.get(REFRESHED_KEY, 0))
        except (TypeError, ValueError):
            refreshed = 0
        if session.modified or now - refreshed >= self.interval:
            if not session.is_empty():
                session[REFRESHED_KEY] = now
        return response
