from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    """The ten partner-agency agreements, activity reports and lecturer dispatch."""

    name = "partners"
    verbose_name = _("협약 기관")
