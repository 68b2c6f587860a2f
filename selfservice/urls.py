from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from accounts.views import admin_login, closed_page
from api.routes import api as customer_api
from portal import views as portal_views
from registry.areas import registry, staff_pages
from sso import views as sso_views

admin.site.site_header = _("Self-service — operator staff")
admin.site.site_title = _("Self-service staff")
# Staff sign in through allauth (second factor, throttling, audit), never the admin's own form.
admin.site.login = admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("", include("portal.urls")),
    # Customers cannot change their login e-mail (staff do, audited): allauth's e-mail pages do not exist.
    path("accounts/email/", closed_page, name="account_email"),
    re_path(r"^accounts/confirm-email/", closed_page),
    # An e-mail of a verified single sign-on domain goes to its company's IdP (sso.views.login).
    path("accounts/login/", sso_views.login, name="account_login"),
    # Identities are linked by the company's verified domains only: no page to connect or sign up with one.
    path("accounts/3rdparty/", closed_page, name="socialaccount_connections"),
    path("accounts/3rdparty/signup/", closed_page, name="socialaccount_signup"),
    # allauth's SAML assertion consumer, with unreadable XML refused as a 400 rather than a 500 (sso.views).
    path("accounts/saml/<str:organization_slug>/acs/finish/", sso_views.saml_finish_acs),
    path("accounts/", include("allauth.urls")),
    path("sso/", include("sso.urls")),
    path("me/", include("accounts.urls")),
    path("invitation/", include("accounts.invitation_urls")),
    # An employee's own subscription (signed in by a one-time link or SSO), and their requests for the admins.
    path("employee/", include("employees.urls")),
    path("employee-requests/", include("employees.admin_urls")),
    path("audit/", include("portal.activity_urls")),
    # The usage dashboard and scheduled reports: pages of the Subscriptions area (its grant), from the usage app.
    path("subscriptions/usage/", include("usage.urls")),
    # Spend guardrails: pages inside the Subscriptions area (its permission), and their e-mail links.
    path("guardrails/", include("guardrails.urls")),
    path("guardrails/links/", include("guardrails.link_urls")),
    # Each area's URL module at its prefix, from the registry: adding an area is adding an app.
    *(path(area.url_prefix, include(area.urls)) for area in registry.with_urls() if area.urls),
    # The core's staff pages (e-mail outbox, background tasks) likewise.
    *(path(page.url_prefix, include(page.urls)) for page in staff_pages() if page.urls),
    path("api-clients/", include("api.urls")),
    path("tmf-api/", customer_api.urls),
    path("health/", portal_views.health, name="health"),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
