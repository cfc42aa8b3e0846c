"""Activity reports and lecture dispatch: transitions, refusals with clear messages, notifications."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.models import Message
from partners import services
from partners.models import ActivityReport, LectureRequest
from tests.files import PDF

from .factories import ActivityReportFactory, ClauseFactory, LectureRequestFactory, LecturerFactory, future

pytestmark = pytest.mark.django_db


def kinds_for(user):
    return list(Message.objects.filter(recipient=user, channel="inapp").order_by("pk").values_list("kind", flat=True))


# --- Activity reports -------------------------------------------------------------------------

def test_report_goes_draft_submitted_accepted_and_submitter_is_told(staff_a, clause, clerk):
    report = services.activity_report_create(actor=staff_a, clause=clause, date=dt.date(2017, 3, 8),
                                             title="양성평등 주간 캠페인", description="직원 200명 참여",
                                             participants=200)
    assert report.status == ActivityReport.Status.DRAFT and report.agency.slug == "agency-a"
    services.activity_report_submit(report=report, actor=staff_a)
    report = services.activity_report_accept(report=report, actor=clerk)
    assert report.status == ActivityReport.Status.ACCEPTED and report.decided_by == clerk
    assert kinds_for(staff_a) == ["partners.report_accepted"]


def test_an_english_reading_submitter_is_told_of_acceptance_with_the_agencys_english_name(staff_a, clause, clerk):
    staff_a.preferred_language = "en"
    staff_a.save(update_fields=["preferred_language"])
    report = services.activity_report_create(actor=staff_a, clause=clause, date=dt.date(2017, 3, 8), title="t",
                                             description="d")
    services.activity_report_submit(report=report, actor=staff_a)
    services.activity_report_accept(report=report, actor=clerk)
    message = Message.objects.get(recipient=staff_a, kind="partners.report_accepted", channel="inapp")
    assert "Agency A" in message.body and "가기관" not in message.body


def test_return_needs_a_comment_and_the_agency_can_resubmit(staff_a, clause, clerk):
    report = services.activity_report_create(actor=staff_a, clause=clause, date=dt.date(2017, 3, 8), title="t",
                                             description="d")
    services.activity_report_submit(report=report, actor=staff_a)
    with pytest.raises(ValidationError) as excinfo:
        services.activity_report_return(report=report, actor=clerk, comment="  ")
    assert "반려 사유" in str(excinfo.value)
    services.activity_report_return(report=report, actor=clerk, comment="참여 인원 증빙을 붙여 주세요.")
    message = Message.objects.get(recipient=staff_a, kind="partners.report_returned", channel="inapp")
    assert "참여 인원 증빙을 붙여 주세요." in message.body
    report = services.activity_report_submit(report=report, actor=staff_a)
    assert report.status == ActivityReport.Status.SUBMITTED


def test_report_on_a_clause_the_agency_did_not_sign_is_refused(staff_a, agency_b, clause):
    other_clause = ClauseFactory(agreement=clause.agreement, number=2, signatories=[agency_b])
    with pytest.raises(ValidationError) as excinfo:
        services.activity_report_create(actor=staff_a, clause=other_clause, date=dt.date(2017, 3, 8), title="t",
                                        description="d")
    assert "2조에 서명하지 않았습니다" in str(excinfo.value)


def test_only_clerks_decide_and_staff_cannot_touch_another_agencys_report(staff_a, staff_b, clause):
    report = services.activity_report_create(actor=staff_a, clause=clause, date=dt.date(2017, 3, 8), title="t",
                                             description="d")
    with pytest.raises(PermissionDenied):
        services.activity_report_submit(report=report, actor=staff_b)
    services.activity_report_submit(report=report, actor=staff_a)
    with pytest.raises(PermissionDenied):
        services.activity_report_accept(report=report, actor=staff_a)


def test_staff_without_the_capability_cannot_report(agency_a, clause, roles):
    from .factories import staff_of

    user = staff_of(agency_a, can_report_activities=False)
    with pytest.raises(PermissionDenied):
        services.activity_report_create(actor=user, clause=clause, date=dt.date(2017, 3, 8), title="t",
                                        description="d")


def test_evidence_is_checked_by_content_not_name(staff_a, clause):
    report = ActivityReportFactory(agency=staff_a.agency_membership.agency, clause=clause)
    fake = SimpleUploadedFile("사진.pdf", b"MZ\x90\x00 this is really an executable", content_type="application/pdf")
    with pytest.raises(ValidationError) as excinfo:
        services.activity_evidence_add(report=report, actor=staff_a, file=fake)
    assert "허용 형식" in str(excinfo.value)
    good = SimpleUploadedFile("참석자.pdf", PDF, content_type="application/pdf")
    evidence = services.activity_evidence_add(report=report, actor=staff_a, file=good)
    assert evidence.original_name == "참석자.pdf" and evidence.file.name.endswith(".pdf")


def test_a_returned_report_must_carry_a_comment_in_the_database(agency_a, clause):
    report = ActivityReportFactory(agency=agency_a, clause=clause)
    report.status = ActivityReport.Status.RETURNED
    with pytest.raises(IntegrityError), transaction.atomic():
        report.save()


# --- Lecture requests -------------------------------------------------------------------------

def _request(staff, **overrides):
    data = dict(actor=staff, audience=LectureRequest.Audience.STAFF, expected_size=40, venue="대회의실",
                topic="저출산 인구교육", preferred_starts=[future(7), future(8)])
    data.update(overrides)
    return services.lecture_request_create(**data)


def test_lecture_request_refuses_past_dates_too_many_and_no_options(staff_a):
    with pytest.raises(ValidationError) as excinfo:
        _request(staff_a, preferred_starts=[timezone.now() - dt.timedelta(days=1)])
    assert "지나간 일시" in str(excinfo.value)
    with pytest.raises(ValidationError) as excinfo:
        _request(staff_a, preferred_starts=[future(d) for d in (5, 6, 7, 8)])
    assert "3개까지" in str(excinfo.value)
    with pytest.raises(ValidationError) as excinfo:
        _request(staff_a, preferred_starts=[])
    assert "하나 이상" in str(excinfo.value)
    assert not LectureRequest.objects.exists()


def test_lecture_workflow_notifies_requester_and_lecturer(staff_a, clerk, lecturer):
    from conftest import make_user

    lecturer.user = make_user("lecturer@example.com")
    lecturer.save()
    lecture = _request(staff_a)
    assert lecture.preferred_starts == [future(7), future(8)]
    start = future(7)
    lecture = services.lecture_request_schedule(lecture=lecture, actor=clerk, lecturer=lecturer, start=start,
                                                end=start + dt.timedelta(hours=2))
    assert lecture.status == LectureRequest.Status.SCHEDULED
    lecture = services.lecture_request_deliver(lecture=lecture, actor=staff_a, attendance=37)
    assert lecture.attendance == 37
    assert kinds_for(staff_a) == ["partners.lecture_requested", "partners.lecture_scheduled",
                                  "partners.lecture_delivered"]
    assert kinds_for(lecturer.user) == ["partners.lecturer_assigned"]
    scheduled = Message.objects.get(recipient=staff_a, kind="partners.lecture_scheduled", channel="inapp")
    assert "김강사" in scheduled.body and "대회의실" in scheduled.body
    # Mandatory kinds go by e-mail too.
    assert Message.objects.filter(recipient=lecturer.user, kind="partners.lecturer_assigned", channel="email").exists()


def test_english_reading_requester_and_lecturers_get_the_agency_name_and_reason_in_english(staff_a, clerk,
                                                                                          lecturer):
    from conftest import make_user

    staff_a.preferred_language = "en"
    staff_a.save(update_fields=["preferred_language"])
    lecturer.user = make_user("lecturer@example.com")
    lecturer.user.preferred_language = "en"
    lecturer.user.save(update_fields=["preferred_language"])
    lecturer.save()
    lecture = _request(staff_a)
    requested = Message.objects.get(recipient=staff_a, kind="partners.lecture_requested", channel="inapp")
    assert "Agency A" in requested.body + requested.subject and "가기관" not in requested.body
    start = future(7)
    services.lecture_request_schedule(lecture=lecture, actor=clerk, lecturer=lecturer, start=start,
                                      end=start + dt.timedelta(hours=2))
    assigned = Message.objects.get(recipient=lecturer.user, kind="partners.lecturer_assigned", channel="inapp")
    assert "Agency A" in assigned.body and "가기관" not in assigned.body
    # Handing the lecture to someone else tells the first lecturer why, in their language.
    services.lecture_request_schedule(lecture=lecture, actor=clerk, lecturer=LecturerFactory(), start=start,
                                      end=start + dt.timedelta(hours=2))
    cancelled = Message.objects.get(recipient=lecturer.user, kind="partners.lecture_cancelled", channel="inapp")
    assert "Another lecturer has been assigned." in cancelled.body


def test_decline_needs_a_reason_and_tells_the_requester(staff_a, clerk):
    lecture = _request(staff_a)
    with pytest.raises(ValidationError):
        services.lecture_request_decline(lecture=lecture, actor=clerk, reason="")
    services.lecture_request_decline(lecture=lecture, actor=clerk, reason="희망 일시에 가능한 강사가 없습니다.")
    assert Message.objects.get(recipient=staff_a, kind="partners.lecture_declined", channel="inapp").body.count(
        "가능한 강사가 없습니다") == 1
    with pytest.raises(ValidationError):  # declined is final
        services.lecture_request_schedule(lecture=lecture, actor=clerk, lecturer=LecturerFactory(), start=future(9),
                                          end=future(9, 12))


def test_cancel_a_scheduled_lecture_tells_both(staff_a, clerk, lecturer):
    from conftest import make_user

    lecturer.user = make_user("lecturer@example.com")
    lecturer.save()
    lecture = _request(staff_a)
    services.lecture_request_schedule(lecture=lecture, actor=clerk, lecturer=lecturer, start=future(7),
                                      end=future(7, 12))
    services.lecture_request_cancel(lecture=lecture, actor=staff_a, reason="기관 행사와 겹칩니다.")
    assert "partners.lecture_cancelled" in kinds_for(staff_a)
    assert kinds_for(lecturer.user) == ["partners.lecturer_assigned", "partners.lecture_cancelled"]


def test_only_clerks_schedule_and_other_agencies_cannot_cancel(staff_a, staff_b, lecturer):
    lecture = _request(staff_a)
    with pytest.raises(PermissionDenied):
        services.lecture_request_schedule(lecture=lecture, actor=staff_a, lecturer=lecturer, start=future(7),
                                          end=future(7, 12))
    with pytest.raises(PermissionDenied):
        services.lecture_request_cancel(lecture=lecture, actor=staff_b)


def test_overlapping_booking_is_refused_by_the_service(agency_a, agency_b, clerk, lecturer):
    first = LectureRequestFactory(agency=agency_a)
    second = LectureRequestFactory(agency=agency_b)
    services.lecture_request_schedule(lecture=first, actor=clerk, lecturer=lecturer, start=future(7, 10),
                                      end=future(7, 12))
    with pytest.raises(ValidationError) as excinfo:
        services.lecture_request_schedule(lecture=second, actor=clerk, lecturer=lecturer, start=future(7, 11),
                                          end=future(7, 13))
    assert "이미" in str(excinfo.value) and "가기관" in str(excinfo.value)
    # Back to back is fine.
    services.lecture_request_schedule(lecture=second, actor=clerk, lecturer=lecturer, start=future(7, 12),
                                      end=future(7, 14))


def test_the_database_refuses_an_overlap_that_skips_the_service(agency_a, agency_b, lecturer):
    common = dict(lecturer=lecturer, status=LectureRequest.Status.SCHEDULED)
    LectureRequestFactory(agency=agency_a, scheduled_start=future(7, 10), scheduled_end=future(7, 12), **common)
    with pytest.raises(IntegrityError, match="partners_lecturer_no_overlap"), transaction.atomic():
        LectureRequestFactory(agency=agency_b, scheduled_start=future(7, 11), scheduled_end=future(7, 13), **common)


def test_a_lecturer_without_an_account_is_reached_by_e_mail(staff_a, clerk, lecturer):
    lecturer.user = None
    lecturer.email = "Guest.Lecturer@Example.com"
    lecturer.save()
    lecture = _request(staff_a)
    start = future(7)
    services.lecture_request_schedule(lecture=lecture, actor=clerk, lecturer=lecturer, start=start,
                                      end=start + dt.timedelta(hours=2))
    lecturer.refresh_from_db()
    assert lecturer.user is not None and lecturer.user.email == "guest.lecturer@example.com"
    assert not lecturer.user.has_usable_password() and not lecturer.user.is_staff
    assert Message.objects.filter(recipient=lecturer.user, kind="partners.lecturer_assigned", channel="email").exists()
