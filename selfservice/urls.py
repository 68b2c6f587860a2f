from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from portal import views as portal_views

admin.site.site_header = _("Self-service — operator staff")
admin.site.site_title = _("Self-service staff")

urlpatterns = [
    path("", include("portal.urls")),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("tickets/", include("tickets.urls")),
    path("subscriptions/", include("subscriptions.urls")),
    path("numbers/", include("numbering.urls")),
    path("invoices/", include("invoicing.urls")),
    path("jobs/", include("jobs.urls")),
    path("health/", portal_views.health, name="health"),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
