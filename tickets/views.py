from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.permissions import area_view


@area_view("tickets")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/index.html")
