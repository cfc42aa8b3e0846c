from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The open data API (/api/v1/) and the national-standard downloads: the catalog, facilities,
    the calendar and the agreement as data for other public systems. Read-only, anonymous."""

    name = "api"
    verbose_name = _("공공데이터 API")
    default_auto_field = "django.db.models.BigAutoField"
