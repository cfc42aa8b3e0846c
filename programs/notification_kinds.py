"""Messages the programs app sends about applications. Values (program title, status) arrive
already in the recipient's language (``programs.services._message_context``)."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind, register

CONTEXT = ("title", "reference", "status", "note")

register(Kind(key="programs.application_submitted", label=_("신청 접수 안내"),
              required_context=("title", "reference"), mandatory=True))
register(Kind(key="programs.application_info_requested", label=_("신청 보완 요청"), required_context=CONTEXT,
              mandatory=True))
register(Kind(key="programs.application_decided", label=_("신청 결과 안내"), required_context=CONTEXT, mandatory=True))
register(Kind(key="programs.application_updated", label=_("신청 진행 상황"), required_context=CONTEXT))
# "알림 받기" on the personal timeline: a window opens in a few days, or closes in a week.
TIMELINE_REMINDER = register(Kind(key="programs.timeline_reminder", label=_("신청 일정 알림(시작·마감 전)"),
                                  required_context=("title", "what", "date", "days")))
