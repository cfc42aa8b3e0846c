"""A citizen's own applications, under /me/applications/."""

from django.urls import path

from . import views

app_name = "my_applications"
urlpatterns = [
    path("", views.my_applications, name="list"),
    path("drafts/<int:pk>/discard/", views.my_draft_discard, name="draft_discard"),
    path("<str:reference>/", views.my_application, name="detail"),
    path("<str:reference>/withdraw/", views.my_application_withdraw, name="withdraw"),
    path("<str:reference>/documents/<int:document_id>/", views.my_document, name="document"),
]
