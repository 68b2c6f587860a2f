from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.permissions import area_view


@area_view("numbers")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "numbering/index.html")
