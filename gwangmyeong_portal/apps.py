from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Project-wide plumbing shared by every app (access log, base mixins)."""

    name = "gwangmyeong_portal"
    label = "portal"
    verbose_name = _("포털 공통")
    default_auto_field = "django.db.models.BigAutoField"
