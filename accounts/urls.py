from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.me, name="me"),
    path("profile/", views.profile, name="profile"),
    path("data.json", views.data_export, name="data_export"),
    path("data.zip", views.data_export_zip, name="data_export_zip"),
    path("delete/", views.account_delete, name="delete"),
]
