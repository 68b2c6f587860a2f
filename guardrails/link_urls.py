"""The guardrails' e-mail links (no sign-in): outside the company route walkers, like the invitation links."""

from django.urls import path

from guardrails import views

app_name = "guardrail_links"

urlpatterns = [
    path("ask/<str:token>/", views.ask, name="ask"),
    path("decide/<str:token>/", views.decide, name="decide"),
]
