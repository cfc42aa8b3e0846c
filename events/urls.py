from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.month, name="month"),
    path("week/", views.week, name="week"),
    path("list/", views.event_list, name="list"),
    path("feed.ics", views.feed_ics, name="feed"),
    path("my/", views.my, name="my"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/event.ics", views.event_ics, name="ics"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/check-in/", views.checkin, name="checkin"),
    path("<int:pk>/manage/", views.manage, name="manage"),
    path("<int:pk>/check-in/counts.json", views.checkin_counts, name="checkin_counts"),
    path("<int:pk>/interest/", views.interest, name="interest"),
    path("<int:pk>/poster/", views.poster, name="poster"),
    path("series/<int:pk>/", views.series_detail, name="series"),
    path("series/<int:pk>/series.ics", views.series_ics, name="series_ics"),
    path("series/<int:pk>/register/", views.series_register, name="series_register"),
    path("courses/<int:pk>/cancel/", views.course_cancel, name="course_cancel"),
    path("interests/<int:pk>/remove/", views.interest_remove, name="interest_remove"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration"),
    path("registrations/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("registrations/<int:pk>/accept/", views.accept_offer, name="accept"),
    path("registrations/<int:pk>/feedback/", views.feedback, name="feedback"),
]
