"""Messages the partners app sends: report decisions to the agency, lecture dispatch steps to the
requesting staff member and to the lecturer (when the lecturer has a portal account)."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind, register

REPORT_ACCEPTED = register(Kind(key="partners.report_accepted", label=_("활동 보고 승인"),
                                required_context=("title", "agency"), mandatory=True))
REPORT_RETURNED = register(Kind(key="partners.report_returned", label=_("활동 보고 반려"),
                                required_context=("title", "comment"), mandatory=True))
LECTURE_REQUESTED = register(Kind(key="partners.lecture_requested", label=_("강사 파견 요청 접수"),
                                  required_context=("topic", "agency"), mandatory=True))
LECTURE_SCHEDULED = register(Kind(key="partners.lecture_scheduled", label=_("강사 파견 일정 확정"),
                                  required_context=("topic", "when", "lecturer", "venue"), mandatory=True))
LECTURE_DECLINED = register(Kind(key="partners.lecture_declined", label=_("강사 파견 요청 거절"),
                                 required_context=("topic", "reason"), mandatory=True))
LECTURE_DELIVERED = register(Kind(key="partners.lecture_delivered", label=_("강사 파견 강의 완료"),
                                  required_context=("topic", "attendance"), mandatory=True))
LECTURE_CANCELLED = register(Kind(key="partners.lecture_cancelled", label=_("강사 파견 취소"),
                                  required_context=("topic", "when", "reason"), mandatory=True))
LECTURER_ASSIGNED = register(Kind(key="partners.lecturer_assigned", label=_("강의 배정(강사)"),
                                  required_context=("topic", "when", "venue", "agency"), mandatory=True))
REPORT_WITHDRAWN = register(Kind(key="partners.report_withdrawn", label=_("활동 보고 철회"),
                                 required_context=("title", "reason"), mandatory=True))
