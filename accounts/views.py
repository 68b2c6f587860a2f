from allauth.account.utils import perform_login
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import actions, admins
from accounts.forms import AcceptForm, LanguageForm, ProfileForm
from audit.actor import Actor
from audit.client_ip import client_ip
from common.forms import errors_to
from companies.middleware import SESSION_KEY as ACTIVE_COMPANY_KEY
from registry.areas import registry


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The cogwheel's language switch: stored on the user, and in a cookie for anonymous pages."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            actions.change_language(request.user, language=language, by=Actor.from_request(request))
        translation.activate(language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


set_language.public = True  # type: ignore[attr-defined]  # anonymous pages switch language too


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(user))  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        actions.update_profile(
            user,  # type: ignore[arg-type]
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            language=form.cleaned_data["language"],
            by=Actor.from_request(request),
        )
        translation.activate(form.cleaned_data["language"])
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


def admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """Django admin's own sign-in form is never shown: staff sign in through allauth,
    with its second factor, throttling and audit, then come back to the admin."""
    target = request.GET.get("next", "") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("admin:index")
    if request.user.is_authenticated:
        # A signed-in customer (or an inactive account): the admin does not exist for them.
        raise Http404
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


def closed_page(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """allauth pages the portal does not offer (e-mail management): a 404 for every method, nothing sent."""
    raise Http404


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link. GET only shows the page (mail scanners follow links); the POST from it accepts."""
    invitation = admins.invitation_for_token(token)
    if invitation is None:
        return render(request, "accounts/invitation.html", {"state": "invalid"}, status=404)
    if not invitation.is_open:
        return render(request, "accounts/invitation.html", {"state": "used", "invitation": invitation}, status=410)
    if admins.is_expired(invitation):
        return render(request, "accounts/invitation.html", {"state": "expired", "invitation": invitation}, status=410)
    existing = admins.existing_user(invitation)
    data = request.POST if request.method == "POST" else None
    form: forms.Form = AcceptForm(data) if existing is None else forms.Form(data)
    if request.method == "POST" and form.is_valid():
        with errors_to(form):
            user, membership = admins.accept_invitation(
                invitation=invitation,
                password=form.cleaned_data.get("password1", ""),
                ip_address=client_ip(request),
            )
            if existing is None:
                # Signed in through allauth (its signals audit the sign-in); a company that requires two-factor
                # then sends them to set it up (after confirming the password, as after any sign-in).
                request.session[ACTIVE_COMPANY_KEY] = membership.company_id
                messages.success(
                    request, _("Welcome: you are now an admin of %(company)s.") % {"company": membership.company}
                )
                return perform_login(request, user, redirect_url=reverse("portal:overview"))
            messages.success(
                request,
                _("You are now an admin of %(company)s. Sign in to continue.") % {"company": membership.company},
            )
            return redirect("account_login")
    offered = [area.title for area in registry.all() if area.key in invitation.areas]
    context = {"state": "open", "invitation": invitation, "form": form, "existing": existing, "offered": offered}
    return render(request, "accounts/invitation.html", context, status=400 if form.errors else 200)


accept_invitation.public = True  # type: ignore[attr-defined]
