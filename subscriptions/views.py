from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.permissions import area_view


@area_view("subscriptions")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "subscriptions/index.html")
