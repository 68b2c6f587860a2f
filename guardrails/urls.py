from django.urls import path

from guardrails import views

app_name = "guardrails"

urlpatterns = [
    path("", views.index, name="index"),
    path("everyone/", views.everyone, name="everyone"),
    path("cost-centre/", views.new_cost_centre, name="new_cost_centre"),
    path("rules/<int:policy_id>/", views.policy, name="policy"),
    path("rules/<int:policy_id>/delete/", views.delete, name="delete"),
    path("requests/", views.raise_requests, name="requests"),
    path("requests/<int:raise_request_id>/decide/", views.decide_in_portal, name="decide_request"),
    path("line/<int:subscription_id>/", views.timeline, name="timeline"),
    path("line/<int:subscription_id>/rules/", views.user_rules, name="user_rules"),
]
