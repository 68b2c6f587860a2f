from django.urls import path

from sso import views

app_name = "sso"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("staff/", views.staff_overview, name="staff"),
]
