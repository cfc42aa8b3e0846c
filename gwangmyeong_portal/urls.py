from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("me/applications/", include("programs.my_urls")),
    path("me/", include("accounts.urls")),
    path("programs/", include("programs.urls")),
    path("events/", include("events.urls")),
    path("partners/", include("partners.urls")),
    path("matchmaking/", include("matchmaking.urls")),
    path("reports/", include("reports.urls")),
    path("me/notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "gwangmyeong_portal.views.server_error"
