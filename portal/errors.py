from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "portal/forbidden.html", {"area": None, "reason": "denied"}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "portal/not_found.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the error may come from them.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
