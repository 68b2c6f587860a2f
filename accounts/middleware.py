from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

Handler = Callable[[HttpRequest], HttpResponse]


class UserLanguageMiddleware:
    """A signed-in user's stored language wins over the browser's.

    Anonymous pages keep what LocaleMiddleware chose from Accept-Language.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        if user is not None and user.is_authenticated and user.language:
            response.headers.setdefault("Content-Language", user.language)
        return response


class RequireMfaMiddleware:
    """Staff, and admins of a company that requires a second factor, must set one up first.

    Until they have, every portal page sends them to the MFA set-up page; the
    account and MFA pages themselves (and sign-out) stay reachable.
    """

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/health/", "/me/language/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = getattr(request, "membership", None)
        user = getattr(request, "user", None)
        # Staff see every company's data: they always need a second factor.
        # A company's own requirement must not trap its admin there: switching to another company stays open.
        required = (user is not None and user.is_authenticated and user.is_staff) or (
            membership is not None
            and membership.company.require_mfa
            and request.path != reverse("portal:switch_company")
        )
        if required and not request.path.startswith(self.ALLOWED_PREFIXES) and not _has_mfa(request):
            # Encoded, so a path holding "&next=..." (decoded from %26) cannot add a second next.
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.path})}")
        return self.get_response(request)


# Set once the user is known to have a second factor, so staff pages do not pay a query on every request;
# removing the authenticator clears it (accounts.signals).
MFA_SESSION_FLAG = "accounts.has_mfa"


def _has_mfa(request: HttpRequest) -> bool:
    from allauth.mfa.models import Authenticator

    if request.session.get(MFA_SESSION_FLAG):
        return True
    # Cached per request: the check runs on every page.
    cached = getattr(request, "_has_mfa", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()
        request._has_mfa = cached  # type: ignore[attr-defined]
        if cached:
            request.session[MFA_SESSION_FLAG] = True
    return cached
