from django.urls import path

from invoicing import views

app_name = "invoice"
urlpatterns = [
    path("", views.index, name="index"),
]
