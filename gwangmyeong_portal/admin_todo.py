"""The admin's front page as a to-do list: what is waiting for this staff member, as counts with links.

Agency staff see their own agency's work only (every count goes through the model's
``visible_to`` / ``managed_by`` and the membership's ``can_*`` flags): reports returned to them,
employee verifications waiting for them, scheduled lectures to confirm as given, and upcoming
events they manage. Clerks see what waits for the city. ``admin/portal_index.html`` shows it above
the app list (``AdminSite.index_template``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

UPCOMING_EVENT_DAYS = 30


@dataclass(frozen=True)
class TodoItem:
    label: str
    count: int
    url: str


def _url(name: str, **query) -> str:
    try:
        base = reverse(name)
    except NoReverseMatch:
        return ""
    return f"{base}?{urlencode(query)}" if query else base


def staff_todo(user, *, now=None) -> list[TodoItem]:
    """The to-do items for ``user`` (empty for citizens). A handful of COUNT queries."""
    from accounts.roles import is_clerk
    from partners.models import ActivityReport, LectureRequest
    from partners.selectors import membership_for

    if not getattr(user, "is_authenticated", False) or not user.is_staff and not user.is_superuser:
        return []
    now = now or timezone.now()
    clerk = is_clerk(user)
    membership = None if clerk else membership_for(user)
    if not clerk and membership is None:
        return []
    items: list[TodoItem] = []
    reports = ActivityReport.objects.visible_to(user)
    lectures = LectureRequest.objects.visible_to(user)
    report_list, lecture_list = "admin:partners_activityreport_changelist", "admin:partners_lecturerequest_changelist"
    if clerk:
        submitted = reports.filter(status=ActivityReport.Status.SUBMITTED).count()
        items.append(TodoItem(_("검토를 기다리는 활동 보고"), submitted, _url(report_list, status__exact="submitted")))
        requested = lectures.filter(status=LectureRequest.Status.REQUESTED).count()
        items.append(TodoItem(_("강사 배정을 기다리는 파견 요청"), requested,
                              _url(lecture_list, status__exact="requested")))
    else:
        if membership.can_report_activities:
            returned = reports.filter(status=ActivityReport.Status.RETURNED).count()
            items.append(TodoItem(_("반려되어 고칠 활동 보고"), returned, _url(report_list, status__exact="returned")))
            drafts = reports.filter(status=ActivityReport.Status.DRAFT).count()
            items.append(TodoItem(_("제출하지 않은 활동 보고(작성 중)"), drafts,
                                  _url(report_list, status__exact="draft")))
        if membership.can_request_lectures:
            given = lectures.filter(status=LectureRequest.Status.SCHEDULED, scheduled_end__lte=now).count()
            items.append(TodoItem(_("강의 완료를 기록할 강의"), given, _url(lecture_list, status__exact="scheduled")))
        if membership.can_verify_employees:
            items.append(_verifications_item(user))
    if clerk or membership.can_manage_events:
        items.append(_events_item(user, now))
    return [item for item in items if item is not None]


def _verifications_item(user) -> TodoItem | None:
    try:
        from matchmaking.models import Verification
    except ImportError:  # pragma: no cover - the matchmaking app is always installed today
        return None
    waiting = Verification.objects.visible_to(user).filter(status=Verification.Status.REQUESTED)
    return TodoItem(_("확인을 기다리는 재직 확인 요청"), waiting.count(),
                    _url("admin:matchmaking_verification_changelist", status__exact="requested"))


def _events_item(user, now) -> TodoItem:
    from events.models import Event

    upcoming = Event.objects.managed_by(user).filter(status=Event.Status.SCHEDULED, starts_at__gte=now,
                                                     starts_at__lt=now + timedelta(days=UPCOMING_EVENT_DAYS))
    return TodoItem(_("30일 안에 열리는 내 행사"), upcoming.count(),
                    _url("admin:events_event_changelist", status__exact="scheduled"))
