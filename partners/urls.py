from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("", views.index, name="index"),
    path("overview/", views.overview, name="overview"),
    path("<slug:slug>/", views.agency_detail, name="agency"),
]
