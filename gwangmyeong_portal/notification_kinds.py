"""Messages the portal's own plumbing sends to operators."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind, register

# The nightly stored-files check found rows whose files are gone (gwangmyeong_portal.uploads).
register(Kind(key="portal.stored_files_missing", label=_("저장 파일 누락 점검"),
              required_context=("count", "rows", "day"), mandatory=True))
