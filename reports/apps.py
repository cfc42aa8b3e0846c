from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Dashboards and audited exports for city clerks."""

    name = "reports"
    verbose_name = _("통계·보고")
