"""The employee's signed-in state: the proven address in the session, never a ``User``.

Signing in as an employee signs any portal user out of the browser first (one identity per session), and the
key is rotated, so a session fixed before cannot be carried over. An admin page never reads these keys.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

EMAIL_KEY = "employees.email"
SINCE_KEY = "employees.signed_in_at"
SSO_KEY = "employees.sso_pending"
# Signed in for 8 hours at most: the employee asks for a new link the next day.
MAX_AGE = 8 * 3600


def signed_in_email(request: HttpRequest) -> str | None:
    email = request.session.get(EMAIL_KEY)
    since = request.session.get(SINCE_KEY)
    if not isinstance(email, str) or not isinstance(since, int | float):
        return None
    if time.time() - since > MAX_AGE:
        return None
    return email


def sign_in(request: HttpRequest, email: str) -> None:
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        logout(request)  # flushes the session: one identity per browser session
    request.session.cycle_key()
    request.session[EMAIL_KEY] = email
    request.session[SINCE_KEY] = int(time.time())


def sign_out(request: HttpRequest) -> None:
    for key in (EMAIL_KEY, SINCE_KEY, SSO_KEY):
        request.session.pop(key, None)
    request.session.cycle_key()


def employee_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An employee's page: signed in by link (or SSO) as an employee, else to the employee sign-in page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        email = signed_in_email(request)
        if email is None:
            return redirect("employees:sign_in")
        request.employee_email = email  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    wrapped.employee_view = True  # type: ignore[attr-defined]
    return wrapped
