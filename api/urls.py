"""/api/: the open data API v1 (django-ninja), its documentation page and the downloads."""

from django.urls import path, re_path

from . import views
from .v1 import api

# No app namespace: django-ninja mounts its own ("api-v1", e.g. api-v1:openapi-json).
urlpatterns = [
    path("v1/docs/", views.docs, name="api_docs"),
    path("v1/downloads/events.csv", views.events_csv, name="api_events_csv"),
    path("v1/downloads/programs.csv", views.programs_csv, name="api_programs_csv"),
    path("v1/downloads/programs.json", views.programs_json, name="api_programs_json"),
    path("v1/", api.urls),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
