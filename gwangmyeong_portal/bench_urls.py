"""The portal's URLs plus the bare view of the load benchmark; only settings/bench.py points here."""

from django.http import HttpResponse
from django.urls import path

from .urls import handler500
from .urls import urlpatterns as portal_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def ceiling(request):
    """Every middleware, no template, no query: the most any page could be served at."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling", ceiling), *portal_urlpatterns]
