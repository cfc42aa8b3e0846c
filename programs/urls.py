from django.urls import path

from . import views

app_name = "programs"
urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("finder/", views.finder, name="finder"),
    path("finder/results/", views.finder_results, name="finder_results"),
    path("finder/save/", views.finder_save, name="finder_save"),
    path("finder/forget/", views.finder_forget, name="finder_forget"),
    path("timeline/", views.timeline, name="timeline"),
    path("timeline.ics", views.timeline_ics, name="timeline_ics"),
    path("timeline/reminders/", views.timeline_subscribe, name="timeline_subscribe"),
    path("timeline/reminders/stop/", views.timeline_unsubscribe, name="timeline_unsubscribe"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/apply/", views.apply, name="apply"),
    path("<slug:slug>/apply/documents/<int:document_id>/", views.draft_document, name="draft_document"),
]
