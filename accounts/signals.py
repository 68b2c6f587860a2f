"""Security events from django-allauth go to the audit trail."""

from typing import Any

from allauth.account.signals import password_changed, password_reset, user_logged_in, user_logged_out
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from audit.actor import Actor
from audit.events import record


def _record(action: str, request: HttpRequest, user: Any) -> None:
    record(action, by=Actor(user=user, ip_address=Actor.from_request(request).ip_address), company=None, target=user)


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _record("account.login", request, user)


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # No user to point at (the address may not exist); keep what was typed, never the password.
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:254]
    ip = Actor.from_request(request).ip_address if request is not None else None
    record(
        "account.login_failed",
        by=Actor(user=None, ip_address=ip, label=attempted),
        company=None,
        details={"login": attempted},
    )


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _record("account.logout", request, user)


@receiver(password_changed)
def on_password_changed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _record("account.password_changed", request, user)


@receiver(password_reset)
def on_password_reset(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _record("account.password_reset", request, user)


@receiver(authenticator_added)
def on_mfa_added(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _record("account.mfa_added", request, user)


@receiver(authenticator_removed)
def on_mfa_removed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from accounts.middleware import MFA_SESSION_FLAG

    request.session.pop(MFA_SESSION_FLAG, None)
    _record("account.mfa_removed", request, user)
