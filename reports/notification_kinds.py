"""Messages the reports app sends. Texts: ``templates/notifications/kinds/reports.*/<ko|en>/``."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind, register

# A clerk's large XLSX export is ready; the link works only for them and only until ``expires``.
EXPORT_READY = register(Kind(key="reports.export_ready", label=_("내보내기 파일 준비 완료"),
                             required_context=("export_name", "rows", "expires")))
