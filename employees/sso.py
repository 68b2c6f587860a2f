"""An employee whose address belongs to a company that requires single sign-on signs in through its IdP.

The sign-in page marks the session (``SSO_KEY``) and sends the browser to the company's identity provider with
allauth; when the IdP answers, ``sso.adapters`` publishes ``IdentityAsserted`` and ``on_identity_asserted`` here
finishes the employee's sign-in (no ``User`` is made or signed in) or refuses it.
"""

import time
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import get_adapter
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.client_ip import client_ip
from audit.events import record
from companies.selectors import company_and_subsidiaries
from employees import selectors, session
from employees.actions import employee_actor
from registry.events import subscribe
from sso.events import IdentityAsserted
from sso.models import SsoConfiguration

# The employee's trip to the IdP and back: a marker older than this is an abandoned attempt.
PENDING_SECONDS = 600


def start(request: HttpRequest, config: SsoConfiguration, email: str) -> HttpResponse:
    request.session[session.SSO_KEY] = {"company": config.company_id, "email": email, "at": int(time.time())}
    provider = get_adapter(request).get_provider(request, config.provider_id)
    target = provider.redirect(request, "login", next_url=reverse("employees:index"), auth_params={"login_hint": email})
    # A page that moves on by itself (the sign-in form's CSP allows form posts to 'self' only), as sso.views.login.
    return render(request, "sso/redirect.html", {"url": target["Location"]})


def on_identity_asserted(event: IdentityAsserted) -> None:
    request = event.request
    pending: Any = request.session.pop(session.SSO_KEY, None)
    if (
        not isinstance(pending, dict)
        or pending.get("email") != event.email.lower()
        or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS
    ):
        # An admin signing in (or an employee's sign-in abandoned earlier in this browser): sso.adapters goes on.
        return
    tree = {c.pk for c in company_and_subsidiaries(event.company)}
    subs = [s for s in selectors.my_subscriptions(event.email) if s.company_id in tree]
    if not subs:
        raise ImmediateHttpResponse(
            TemplateResponse(
                request,
                "sso/refused.html",
                {
                    "message": _(
                        "You signed in with your organisation, but no subscription is registered to %(email)s."
                    )
                    % {"email": event.email}
                },
                status=403,
            )
        )
    session.sign_in(request, event.email.lower())
    by = employee_actor(event.email.lower(), client_ip(request))
    for company in {s.company_id: s.company for s in subs}.values():
        record("employee.signed_in", by=by, company=company, details={"method": "sso"})
    raise ImmediateHttpResponse(redirect("employees:index"))


def connect() -> None:
    subscribe(IdentityAsserted, on_identity_asserted)
