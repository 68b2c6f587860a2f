from django.urls import path

from usage import views

app_name = "usage"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("users/", views.users, name="users"),
    path("roaming/", views.users, {"roaming": True}, name="roaming"),
    path("line/<int:subscription_id>/", views.line, name="line"),
]
