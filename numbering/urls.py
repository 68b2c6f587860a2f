from django.urls import path

from numbering import views

app_name = "numbers"
urlpatterns = [
    path("", views.index, name="index"),
]
