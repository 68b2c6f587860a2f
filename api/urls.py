from django.urls import path

from api import views

app_name = "api_clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("<int:client_id>/rotate/", views.rotate, name="rotate"),
    path("<int:client_id>/revoke/", views.revoke, name="revoke"),
    path("webhooks/<int:hub_id>/", views.hub_detail, name="hub"),
    path("webhooks/deliveries/<int:delivery_id>/redeliver/", views.redeliver, name="redeliver"),
]
