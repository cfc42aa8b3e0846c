from django.urls import path

from . import views

app_name = "matchmaking"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("consent/", views.consent, name="consent"),
    path("verify/", views.verification_request, name="verify"),
    path("profile/", views.profile_edit, name="profile"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/<int:pk>/apply/", views.session_apply, name="apply"),
    path("sessions/<int:pk>/withdraw/", views.session_withdraw, name="withdraw"),
    path("sessions/<int:pk>/picks/", views.picks, name="picks"),
    path("sessions/<int:pk>/draw/", views.draw_check, name="draw"),
    path("matches/", views.matches, name="matches"),
    path("leave/", views.leave, name="leave"),
    path("stats/", views.stats, name="stats"),
]
