"""Messages the events app sends. Texts: ``templates/notifications/kinds/events.*/<ko|en>/``."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind, register

REGISTRATION_CONFIRMED = register(Kind(key="events.registration_confirmed", label=_("행사 신청 확정"),
                                       required_context=("title", "when", "place")))
REGISTRATION_WAITLISTED = register(Kind(key="events.registration_waitlisted", label=_("행사 대기 신청 접수"),
                                        required_context=("title", "when")))
# A freed place is held only for a few hours: SMS by default so it is not missed.
OFFER_MADE = register(Kind(key="events.offer_made", label=_("행사 빈자리 제안"),
                           required_context=("title", "when", "expires"),
                           default_channels=("inapp", "email", "sms")))
# One registration for every remaining session of a course.
COURSE_REGISTERED = register(Kind(key="events.course_registered", label=_("강좌 전체 신청 확정"),
                                  required_context=("title", "when", "place", "count")))
OFFER_EXPIRED = register(Kind(key="events.offer_expired", label=_("행사 빈자리 제안 만료"),
                              required_context=("title", "when")))
REMINDER = register(Kind(key="events.reminder", label=_("행사 일정 알림(전날·2시간 전)"),
                         required_context=("title", "when", "place"), default_channels=("inapp", "email", "sms")))
# A cancellation is a service message: always in-app and by e-mail, whatever the preferences.
EVENT_CANCELLED = register(Kind(key="events.event_cancelled", label=_("행사 취소 안내"),
                                required_context=("title", "when", "reason", "offer_note"), mandatory=True,
                                default_channels=("inapp", "email", "sms")))
# A new time, place or status (postponed, back on the calendar): a service message, like a cancellation.
EVENT_CHANGED = register(Kind(key="events.event_changed", label=_("행사 일정·장소 변경 안내"),
                              required_context=("title", "when", "changes", "reason", "offer_note"), mandatory=True,
                              default_channels=("inapp", "email", "sms")))
FEEDBACK_REQUEST = register(Kind(key="events.feedback_request", label=_("행사 만족도 조사"),
                                 required_context=("title",)))
ORGANISER_MESSAGE = register(Kind(key="events.organiser_message", label=_("행사 주관 기관 안내"),
                                  required_context=("title", "text")))
# A program a citizen noted at the fair has opened for applications.
PROGRAM_OPEN = register(Kind(key="events.program_open", label=_("관심 사업 신청 시작"), required_context=("title",)))
