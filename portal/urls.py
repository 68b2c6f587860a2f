from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("company/switch/", views.switch_company, name="switch_company"),
]
