from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Every message the portal sends: in-app, email and SMS through Celery."""

    name = "notifications"
    verbose_name = _("알림")
