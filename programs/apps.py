from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    """Life-cycle programs: catalog, eligibility finder, applications and review."""

    name = "programs"
    verbose_name = _("생애주기 정책 사업")
