from django.urls import path

from sso import views

app_name = "sso"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("settings/", views.settings, name="settings"),
    path("domains/", views.add_domain, name="add_domain"),
    path("domains/check/", views.check_domain, name="check_domain"),
    path("domains/remove/", views.remove_domain, name="remove_domain"),
    path("test/", views.test_sign_in, name="test_sign_in"),
    path("required/", views.set_required, name="set_required"),
    path("staff/", views.staff_overview, name="staff"),
]
