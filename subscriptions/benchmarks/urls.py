"""The portal's URLs plus the benchmark's floor views (subscriptions.benchmarks.floor)."""

from django.urls import path

from selfservice.urls import handler403, handler404, handler500
from selfservice.urls import urlpatterns as portal_urlpatterns
from subscriptions.benchmarks.floor import floor

urlpatterns = [
    path("bench/floor/", floor),
    path("bench/bare/", floor),
    *portal_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
