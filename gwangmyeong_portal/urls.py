from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from . import metrics, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("terms/", views.terms, name="terms"),
    path("errors/request-too-long/", views.request_too_long, name="request_too_long"),
    path("errors/busy/", views.busy, name="busy"),
    path("metrics", metrics.metrics, name="metrics"),
    # The language switcher posts without a CSRF token so that anonymous pages hold nothing
    # per-visitor and can be cached whole; switching someone's display language is harmless.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
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
    path("api/", include("api.urls")),
]

handler500 = "gwangmyeong_portal.views.server_error"
