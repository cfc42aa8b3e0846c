"""Writes for agreements, activity reports and lecturer dispatch. Every state change is here.

Refusals a user can fix raise ``ValidationError`` with a message meant for them; acting outside
one's role or agency raises ``PermissionDenied``. Notifications are written in the caller's
transaction through ``notify`` and leave only after it commits.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.roles import is_clerk
from notifications.rendering import language_for
from notifications.services import notify

from . import notification_kinds as kinds
from .events_bridge import lecture_event_sync
from .models import (
    ActivityEvidence,
    ActivityReport,
    ActivityReportEvent,
    Agency,
    AgencyMembership,
    Clause,
    Lecturer,
    LectureRequest,
)
from .selectors import membership_for

# --- Shared checks ----------------------------------------------------------------------------



def _lecturer_recipient(lecturer: Lecturer):
    """The account a lecturer is notified through. A lecturer on the roster with an e-mail but no
    portal account gets a notification-only account (no password, no role; they can claim it
    with "forgot password") so every step reaches them by e-mail like everyone else."""
    if lecturer.user is None and lecturer.email:
        from accounts.models import User

        user = User.objects.filter(email__iexact=lecturer.email).first()
        if user is None:
            user = User.objects.create_user(email=lecturer.email.lower(), password=None, name=lecturer.name)
        lecturer.user = user
        lecturer.save(update_fields=["user"])
    return lecturer.user

def _require_clerk(actor) -> None:
    if not is_clerk(actor):
        raise PermissionDenied(_("광명시 담당자만 할 수 있습니다."))


def _acting_agency(*, actor, capability: str, agency: Agency | None) -> Agency:
    """The agency ``actor`` acts for: a clerk names it, agency staff act for their own with ``capability``."""
    if is_clerk(actor):
        if agency is None:
            raise ValidationError(_("기관을 선택해 주세요."))
        return agency
    membership: AgencyMembership | None = membership_for(actor)
    if membership is None or not getattr(membership, capability):
        raise PermissionDenied(_("이 업무를 할 권한이 없습니다. 기관 담당자에게 문의하세요."))
    if agency is not None and agency.pk != membership.agency_id:
        raise PermissionDenied(_("다른 기관의 업무는 할 수 없습니다."))
    return membership.agency


def _locked(model, *, obj, actor):
    """The row, locked for this transaction, if ``actor`` may see it; otherwise PermissionDenied."""
    row = model.objects.visible_to(actor).select_for_update().filter(pk=obj.pk).first()
    if row is None:
        raise PermissionDenied(_("다른 기관의 자료는 다룰 수 없습니다."))
    return row


def _transition(obj, action: str) -> None:
    allowed, target = obj.TRANSITIONS[action]
    if obj.status not in allowed:
        raise ValidationError(
            _("현재 상태(%(status)s)에서는 할 수 없는 처리입니다.") % {"status": obj.get_status_display()},
            code="bad_state",
        )
    obj.status = target


def _when(value: datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def _agency_context(recipient, agency: Agency, **values) -> dict:
    """A message context with the agency's name in the recipient's language (Korean if there is
    no English name yet)."""
    with translation.override(language_for(recipient)):
        return {**values, "agency": agency.name}


def clause_check_signed(*, agency: Agency, clause: Clause) -> None:
    """Refuse a report under a clause the agency did not sign."""
    if not clause.signatories.filter(pk=agency.pk).exists():
        raise ValidationError(
            {"clause": _("%(agency)s은(는) %(number)s조에 서명하지 않았습니다. 서명한 조항을 골라 주세요.")
             % {"agency": agency.name, "number": clause.number}},
            code="clause_not_signed",
        )


# --- Activity reports -------------------------------------------------------------------------


def _report_history(report: ActivityReport, *, from_status: str, actor, note: str = "", at=None) -> None:
    """One row of the review history, in the transition's transaction."""
    ActivityReportEvent.objects.create(report=report, from_status=from_status, to_status=report.status,
                                       actor=actor, note=note, at=at or timezone.now())


def activity_report_create(
    *, actor, clause: Clause, date, title: str, description: str, participants: int = 0,
    agency: Agency | None = None,
) -> ActivityReport:
    """A draft report for the actor's agency (a clerk names the agency)."""
    agency = _acting_agency(actor=actor, capability="can_report_activities", agency=agency)
    clause_check_signed(agency=agency, clause=clause)
    return ActivityReport.objects.create(
        agency=agency, clause=clause, date=date, title=title.strip(), description=description.strip(),
        participants=participants, created_by=actor,
    )


def activity_evidence_add(*, report: ActivityReport, actor, file) -> ActivityEvidence:
    """Attach a file, checked by its content like every upload, to a report still being written."""
    with transaction.atomic():
        report = _locked(ActivityReport, obj=report, actor=actor)
        if not report.is_editable:
            raise ValidationError(_("제출된 보고에는 증빙을 더할 수 없습니다."))
        ActivityEvidence._meta.get_field("file").run_validators(file)
        evidence = ActivityEvidence(report=report, file=file, original_name=getattr(file, "name", ""))
        evidence.save()
        return evidence


@transaction.atomic
def activity_report_submit(*, report: ActivityReport, actor) -> ActivityReport:
    """draft|returned → submitted. Staff of the report's agency (with the capability) or a clerk."""
    report = _locked(ActivityReport, obj=report, actor=actor)
    if not is_clerk(actor):
        _acting_agency(actor=actor, capability="can_report_activities", agency=report.agency)
    clause_check_signed(agency=report.agency, clause=report.clause)
    previous = report.status
    _transition(report, "submit")
    report.submitted_by, report.submitted_at = actor, timezone.now()
    report.save()
    _report_history(report, from_status=previous, actor=actor, at=report.submitted_at)
    return report


def _report_recipient(report: ActivityReport):
    return report.submitted_by or report.created_by


@transaction.atomic
def activity_report_accept(*, report: ActivityReport, actor, comment: str = "") -> ActivityReport:
    """submitted → accepted (now public). Clerks only; the submitter is told."""
    _require_clerk(actor)
    report = _locked(ActivityReport, obj=report, actor=actor)
    previous = report.status
    _transition(report, "accept")
    # city_comment is the latest decision's comment; earlier return reasons stay in the history.
    report.city_comment = comment.strip()
    report.decided_by, report.decided_at = actor, timezone.now()
    report.save()
    _report_history(report, from_status=previous, actor=actor, note=report.city_comment, at=report.decided_at)
    recipient = _report_recipient(report)
    if recipient is not None:
        notify(recipient=recipient, kind=kinds.REPORT_ACCEPTED.key,
               context=_agency_context(recipient, report.agency, title=report.title),
               link=reverse("admin:partners_activityreport_change", args=[report.pk]),
               idempotency_key=f"partners.report:{report.pk}:accepted:{recipient.pk}")
    return report


@transaction.atomic
def activity_report_return(*, report: ActivityReport, actor, comment: str) -> ActivityReport:
    """submitted → returned with the city's comment (required). Clerks only; the submitter is told."""
    _require_clerk(actor)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("반려 사유를 적어 주세요. 기관이 무엇을 고칠지 알 수 있어야 합니다.")})
    report = _locked(ActivityReport, obj=report, actor=actor)
    previous = report.status
    _transition(report, "return")
    report.city_comment = comment
    report.decided_by, report.decided_at = actor, timezone.now()
    report.save()
    _report_history(report, from_status=previous, actor=actor, note=comment, at=report.decided_at)
    recipient = _report_recipient(report)
    if recipient is not None:
        notify(recipient=recipient, kind=kinds.REPORT_RETURNED.key,
               context={"title": report.title, "comment": comment},
               link=reverse("admin:partners_activityreport_change", args=[report.pk]),
               idempotency_key=f"partners.report:{report.pk}:returned:{report.decided_at:%s%f}:{recipient.pk}")
    return report


@transaction.atomic
def activity_report_withdraw(*, report: ActivityReport, actor, reason: str) -> ActivityReport:
    """Any state → withdrawn, with a reason (required): the workflow's step instead of a delete.

    A clerk may withdraw any report (an accepted one leaves the public pages and the commitment
    counts); the agency's reporting staff may withdraw their own until it is accepted. The row and
    its history stay; whoever wrote or submitted the report is told, unless they did it themselves.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("철회 사유를 적어 주세요. 기관과 기록에 남습니다.")})
    report = _locked(ActivityReport, obj=report, actor=actor)
    if not is_clerk(actor):
        _acting_agency(actor=actor, capability="can_report_activities", agency=report.agency)
        if report.status == ActivityReport.Status.ACCEPTED:
            raise PermissionDenied(_("승인된 보고는 광명시 담당자만 철회할 수 있습니다."))
    previous = report.status
    _transition(report, "withdraw")
    report.save()
    _report_history(report, from_status=previous, actor=actor, note=reason)
    for recipient in {user for user in (report.created_by, report.submitted_by) if user is not None}:
        if recipient.pk == actor.pk:
            continue
        notify(recipient=recipient, kind=kinds.REPORT_WITHDRAWN.key,
               context={"title": report.title, "reason": reason},
               link=reverse("admin:partners_activityreport_change", args=[report.pk]),
               idempotency_key=f"partners.report:{report.pk}:withdrawn:{recipient.pk}")
    return report


# --- Lecturer dispatch ------------------------------------------------------------------------


def lecture_options_validate(options, *, now: datetime | None = None) -> list[datetime]:
    """One to three preferred start times, all in the future, without repeats, in order."""
    now = now or timezone.now()
    cleaned = sorted({value for value in options if value is not None})
    if not cleaned:
        raise ValidationError(_("희망 일시를 하나 이상 적어 주세요."), code="no_options")
    if len([value for value in options if value is not None]) > LectureRequest.MAX_OPTIONS:
        raise ValidationError(
            _("희망 일시는 %(max)s개까지 적을 수 있습니다.") % {"max": LectureRequest.MAX_OPTIONS},
            code="too_many_options",
        )
    past = [value for value in cleaned if value <= now]
    if past:
        raise ValidationError(
            _("지나간 일시(%(when)s)는 고를 수 없습니다. 앞으로의 날짜를 적어 주세요.") % {"when": _when(past[0])},
            code="past_option",
        )
    return cleaned


def _lecture_link(lecture: LectureRequest) -> str:
    return reverse("admin:partners_lecturerequest_change", args=[lecture.pk])


@transaction.atomic
def lecture_request_create(
    *, actor, audience: str, expected_size: int, venue: str, topic: str, preferred_starts, note: str = "",
    agency: Agency | None = None,
) -> LectureRequest:
    """Agency staff (with ``can_request_lectures``) ask the city for a lecture."""
    agency = _acting_agency(actor=actor, capability="can_request_lectures", agency=agency)
    options = lecture_options_validate(list(preferred_starts))
    if expected_size is None or expected_size < 1:
        raise ValidationError({"expected_size": _("예상 인원은 1명 이상이어야 합니다.")})
    options += [None] * (LectureRequest.MAX_OPTIONS - len(options))
    lecture = LectureRequest.objects.create(
        agency=agency, requested_by=actor, audience=audience, expected_size=expected_size, venue=venue.strip(),
        topic=topic.strip(), note=note.strip(), preferred_start_1=options[0], preferred_start_2=options[1],
        preferred_start_3=options[2],
    )
    notify(recipient=actor, kind=kinds.LECTURE_REQUESTED.key,
           context=_agency_context(actor, agency, topic=lecture.topic),
           link=_lecture_link(lecture), idempotency_key=f"partners.lecture:{lecture.pk}:requested")
    return lecture


def _lecturer_overlaps(*, lecturer: Lecturer, start: datetime, end: datetime, exclude_pk: int | None):
    return (LectureRequest.objects
            .filter(lecturer=lecturer, status__in=[LectureRequest.Status.SCHEDULED, LectureRequest.Status.DELIVERED],
                    scheduled_start__lt=end, scheduled_end__gt=start)
            .exclude(pk=exclude_pk).first())


def _calendar_sync(lecture: LectureRequest, *, actor) -> None:
    """Put a scheduled lecture on the events calendar, or take a cancelled one off (see partners/events_bridge)."""
    lecture_event_sync(lecture=lecture, actor=actor)


@transaction.atomic
def lecture_request_schedule(
    *, lecture: LectureRequest, actor, lecturer: Lecturer, start: datetime, end: datetime,
) -> LectureRequest:
    """A clerk assigns a lecturer and a time (or moves an already scheduled lecture).

    Concurrency: the lecturer row is locked (``select_for_update``) before the overlap check, so
    two clerks booking the same lecturer are serialised; on PostgreSQL the exclusion constraint
    ``partners_lecturer_no_overlap`` refuses an overlap even if some path skipped this service.
    """
    _require_clerk(actor)
    if start is None or end is None or end <= start:
        raise ValidationError({"end": _("끝나는 시각은 시작 시각보다 늦어야 합니다.")})
    if start <= timezone.now():
        raise ValidationError({"start": _("지나간 시각에는 강의를 잡을 수 없습니다.")})
    lecture = _locked(LectureRequest, obj=lecture, actor=actor)
    lecturer = Lecturer.objects.select_for_update().get(pk=lecturer.pk)
    if not lecturer.is_active:
        raise ValidationError({"lecturer": _("활동하지 않는 강사입니다.")})
    previous_lecturer = lecture.lecturer if lecture.status == LectureRequest.Status.SCHEDULED else None
    _transition(lecture, "schedule")
    clash = _lecturer_overlaps(lecturer=lecturer, start=start, end=end, exclude_pk=lecture.pk)
    if clash is not None:
        raise ValidationError(
            {"lecturer": _("%(name)s 강사는 이미 %(when)s에 %(agency)s 강의가 잡혀 있습니다. "
                           "다른 시각이나 강사를 골라 주세요.")
                         % {"name": lecturer.name, "when": _when(clash.scheduled_start),
                            "agency": clash.agency.name}},
            code="double_booked",
        )
    lecture.lecturer, lecture.scheduled_start, lecture.scheduled_end = lecturer, start, end
    lecture.decided_by = actor
    try:
        with transaction.atomic():
            lecture.save()
    except IntegrityError as exc:
        if "partners_lecturer_no_overlap" in str(exc):
            raise ValidationError({"lecturer": _("같은 시각에 이 강사의 다른 강의가 잡혀 있습니다.")},
                                  code="double_booked") from exc
        raise
    _calendar_sync(lecture, actor=actor)
    when = _when(start)
    if lecture.requested_by is not None:
        notify(recipient=lecture.requested_by, kind=kinds.LECTURE_SCHEDULED.key,
               context={"topic": lecture.topic, "when": when, "lecturer": lecturer.name, "venue": lecture.venue},
               link=_lecture_link(lecture))
    if _lecturer_recipient(lecturer) is not None:
        notify(recipient=lecturer.user, kind=kinds.LECTURER_ASSIGNED.key,
               context=_agency_context(lecturer.user, lecture.agency, topic=lecture.topic, when=when,
                                       venue=lecture.venue))
    if (previous_lecturer is not None and previous_lecturer.pk != lecturer.pk
            and _lecturer_recipient(previous_lecturer) is not None):
        with translation.override(language_for(previous_lecturer.user)):
            reason = _("다른 강사로 변경되었습니다.")
        notify(recipient=previous_lecturer.user, kind=kinds.LECTURE_CANCELLED.key,
               context={"topic": lecture.topic, "when": when, "reason": reason})
    return lecture


@transaction.atomic
def lecture_request_decline(*, lecture: LectureRequest, actor, reason: str) -> LectureRequest:
    """A clerk declines a request, saying why (required); the requester is told."""
    _require_clerk(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("거절 사유를 적어 주세요.")})
    lecture = _locked(LectureRequest, obj=lecture, actor=actor)
    _transition(lecture, "decline")
    lecture.decline_reason, lecture.decided_by = reason, actor
    lecture.save()
    if lecture.requested_by is not None:
        notify(recipient=lecture.requested_by, kind=kinds.LECTURE_DECLINED.key,
               context={"topic": lecture.topic, "reason": reason}, link=_lecture_link(lecture),
               idempotency_key=f"partners.lecture:{lecture.pk}:declined")
    return lecture


@transaction.atomic
def lecture_request_deliver(*, lecture: LectureRequest, actor, attendance: int) -> LectureRequest:
    """scheduled → delivered with the attendance, recorded by a clerk or the requesting agency's staff."""
    if attendance is None or attendance < 0:
        raise ValidationError({"attendance": _("참석 인원을 0 이상으로 적어 주세요.")})
    lecture = _locked(LectureRequest, obj=lecture, actor=actor)
    if not is_clerk(actor):
        _acting_agency(actor=actor, capability="can_request_lectures", agency=lecture.agency)
    _transition(lecture, "deliver")
    lecture.attendance = attendance
    lecture.save()
    if lecture.requested_by is not None:
        notify(recipient=lecture.requested_by, kind=kinds.LECTURE_DELIVERED.key,
               context={"topic": lecture.topic, "attendance": attendance}, link=_lecture_link(lecture),
               idempotency_key=f"partners.lecture:{lecture.pk}:delivered")
    return lecture


@transaction.atomic
def lecture_request_cancel(*, lecture: LectureRequest, actor, reason: str = "") -> LectureRequest:
    """The agency (or a clerk) calls a lecture off; the requester and the lecturer are told."""
    lecture = _locked(LectureRequest, obj=lecture, actor=actor)
    if not is_clerk(actor):
        _acting_agency(actor=actor, capability="can_request_lectures", agency=lecture.agency)
    was_scheduled = lecture.status == LectureRequest.Status.SCHEDULED
    _transition(lecture, "cancel")
    lecture.cancel_reason = (reason or "").strip()
    lecture.save()
    _calendar_sync(lecture, actor=actor)
    when = _when(lecture.scheduled_start or lecture.preferred_start_1)
    context = {"topic": lecture.topic, "when": when, "reason": lecture.cancel_reason or "-"}
    key = f"partners.lecture:{lecture.pk}:cancelled"
    if lecture.requested_by is not None:
        notify(recipient=lecture.requested_by, kind=kinds.LECTURE_CANCELLED.key, context=context,
               link=_lecture_link(lecture), idempotency_key=f"{key}:requester")
    if was_scheduled and lecture.lecturer and _lecturer_recipient(lecture.lecturer) is not None:
        notify(recipient=lecture.lecturer.user, kind=kinds.LECTURE_CANCELLED.key, context=context,
               idempotency_key=f"{key}:lecturer")
    return lecture
