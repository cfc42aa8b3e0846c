from django.urls import path, re_path

from . import audit_views, views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    re_path(r"^tables/(?P<key>[a-z_]+)\.(?P<fmt>csv|xlsx)$", views.table_export, name="table_export"),
    path("access-review/", audit_views.access_review, name="access_review"),
    path("exports/", views.export_jobs, name="export_jobs"),
    path("exports/<slug:kind>/", views.detail_export, name="detail_export"),
    path("downloads/<str:token>/", views.export_job_download, name="export_job_download"),
]
