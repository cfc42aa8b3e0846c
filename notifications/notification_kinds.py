"""Kinds notifications itself sends: a welcome, a generic reminder, and kinds for tests and the benchmark."""

from django.utils.translation import gettext_lazy as _

from .kinds import Kind, register

WELCOME = register(Kind(key="notifications.welcome", label=_("가입 환영 안내"), required_context=("name", "tip"),
                        default_channels=("inapp",)))
REMINDER = register(Kind(key="notifications.reminder", label=_("일정 알림"), required_context=("title", "when")))
SERVICE_NOTICE = register(Kind(key="notifications.service_notice", label=_("서비스 필수 안내"),
                               required_context=("text",), mandatory=True))
URGENT = register(Kind(key="notifications.urgent", label=_("긴급 안내"), required_context=("text",), urgent=True,
                       default_channels=("inapp", "sms")))
# For tests and the benchmark only; hidden from the preferences page.
TEST = register(Kind(key="notifications.test", label=_("테스트 알림"), required_context=("name",),
                     default_channels=("inapp", "email", "sms")))
