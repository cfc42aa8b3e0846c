from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("settings/", views.preferences, name="settings"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("<int:pk>/", views.open_message, name="open"),
    # SOLAPI posts delivery reports here; the secret token is part of the URL it is given.
    path("solapi/reports/<str:token>/", views.solapi_reports, name="solapi_reports"),
]
