from django.urls import path

from portal import activity as views

app_name = "audit"
urlpatterns = [path("", views.event_list, name="list")]
