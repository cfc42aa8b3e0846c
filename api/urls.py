"""/api/: the open data API v1 (django-ninja), its documentation page and the downloads."""

from django.urls import path, re_path

from . import pages
from .v1 import api

# No app namespace: django-ninja mounts its own ("api-v1", e.g. api-v1:openapi-json).
urlpatterns = [
    path("v1/docs/", pages.docs, name="api_docs"),
    path("v1/downloads/events.csv", pages.events_csv, name="api_events_csv"),
    path("v1/downloads/programs.csv", pages.programs_csv, name="api_programs_csv"),
    path("v1/downloads/programs.json", pages.programs_json, name="api_programs_json"),
    # Before django-ninja's own root (a bare 404): an index of the API for whoever opens /api/v1/.
    path("v1/", pages.index, name="api_index"),
    path("v1/", api.urls),
    re_path(r"^(?P<rest>.*)$", pages.not_found),
]
