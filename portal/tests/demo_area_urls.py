"""A URL module for an area that exists only in the wiring test (test_area_wiring.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from companies.permissions import area_view, staff_view

app_name = "demo"


@area_view("demo")
def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("demo area")


@staff_view
def staff(request: HttpRequest) -> HttpResponse:
    return HttpResponse("demo queue")


urlpatterns = [
    path("", index, name="index"),
    path("staff/", staff, name="staff"),
]
