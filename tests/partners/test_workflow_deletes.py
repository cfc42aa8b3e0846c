"""Rows with a workflow are not deleted by clerks: the stock bulk delete is gone, the workflow's
own step (withdraw a report, cancel a lecture) takes its place, tells whoever must know and
cascades; only a superuser deletes, with a reason that goes to the access log."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from accounts.roles import ROLE_NAMES
from events.models import Event, Registration
from gwangmyeong_portal.models import AccessLogEntry
from gwangmyeong_portal.workflow import model_has_workflow
from notifications.models import Message
from partners import services
from partners.models import ActivityReport, LectureRequest

from .factories import ActivityReportFactory, LectureRequestFactory, future

pytestmark = pytest.mark.django_db

REPORTS = "/admin/partners/activityreport/"
LECTURES = "/admin/partners/lecturerequest/"


@pytest.fixture
def accepted(agency_a, clause, staff_a, clerk, roles):
    report = ActivityReportFactory(agency=agency_a, clause=clause, title="정시 퇴근 캠페인", created_by=staff_a)
    services.activity_report_submit(report=report, actor=staff_a)
    return services.activity_report_accept(report=report, actor=clerk)


@pytest.fixture
def scheduled(agency_a, staff_a, clerk, lecturer, roles):
    lecture = LectureRequestFactory(agency=agency_a, requested_by=staff_a, audience="citizens", topic="함께 키우기")
    services.lecture_request_schedule(lecture=lecture, actor=clerk, lecturer=lecturer, start=future(6, 14),
                                      end=future(6, 16))
    lecture.refresh_from_db()
    return lecture


def _actions(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return [value for value, _label in response.context["action_form"].fields["action"].choices]


def test_no_role_holds_the_delete_permission_of_a_model_with_a_workflow(roles):
    workflow_models = [m for m in apps.get_models() if model_has_workflow(m)]
    labels = {m._meta.label_lower for m in workflow_models}
    assert {"partners.activityreport", "partners.lecturerequest", "programs.application", "events.event",
            "events.registration", "matchmaking.sessionapplication"} <= labels
    codenames = {f"delete_{m._meta.model_name}" for m in workflow_models}
    held = Permission.objects.filter(group__name__in=ROLE_NAMES, codename__in=codenames)
    assert not held.exists(), sorted(held.values_list("codename", flat=True))
    # Models without a workflow keep their delete for clerks (an agency's e-mail domain, say).
    assert Group.objects.get(name="city_clerk").permissions.filter(codename="delete_agencyemaildomain").exists()


def test_clerk_has_no_stock_or_any_delete_for_reports_and_lectures(client, clerk, accepted, scheduled):
    client.force_login(clerk)
    for url, obj in ((REPORTS, accepted), (LECTURES, scheduled)):
        actions = _actions(client, url)
        assert "delete_selected" not in actions and "delete_with_reason" not in actions
        assert client.get(f"{url}{obj.pk}/delete/").status_code == 403
        # A forged stock bulk delete does nothing either.
        client.post(url, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    assert ActivityReport.objects.filter(pk=accepted.pk).exists()
    assert LectureRequest.objects.filter(pk=scheduled.pk).exists()
    assert "withdraw_reports" in _actions(client, REPORTS) and "cancel_requests" in _actions(client, LECTURES)


def test_clerk_withdraws_an_accepted_report_with_a_reason_and_the_agency_is_told(client, clerk, staff_a, accepted):
    client.force_login(clerk)
    asked = client.post(REPORTS, {"action": "withdraw_reports", "_selected_action": [accepted.pk]})
    assert asked.status_code == 200 and "철회 사유" in asked.content.decode()
    client.post(REPORTS, {"action": "withdraw_reports", "_selected_action": [accepted.pk], "apply": "1",
                          "reason": "중복 입력"})
    accepted.refresh_from_db()
    assert accepted.status == ActivityReport.Status.WITHDRAWN
    assert accepted.history.last().note == "중복 입력" and accepted.history.last().actor == clerk
    told = Message.objects.filter(recipient=staff_a, kind="partners.report_withdrawn", channel="inapp").get()
    assert "중복 입력" in told.body
    # No longer public: the agreement page lists accepted activities only.
    assert "정시 퇴근 캠페인" not in client.get("/partners/").content.decode()


def test_agency_staff_withdraw_their_own_draft_but_not_an_accepted_report(agency_a, clause, staff_a, accepted):
    draft = ActivityReportFactory(agency=agency_a, clause=clause, created_by=staff_a)
    services.activity_report_withdraw(report=draft, actor=staff_a, reason="잘못 썼습니다")
    draft.refresh_from_db()
    assert draft.status == ActivityReport.Status.WITHDRAWN
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        services.activity_report_withdraw(report=accepted, actor=staff_a, reason="취소")
    with pytest.raises(ValidationError):
        services.activity_report_withdraw(report=accepted, actor=staff_a, reason=" ")


def test_cancelling_a_scheduled_lecture_tells_requester_lecturer_and_registrants(
    client, clerk, staff_a, scheduled, citizen,
):
    event = scheduled.event
    assert event is not None and event.status == Event.Status.SCHEDULED
    Registration.objects.create(event=event, user=citizen, party_size=1, status=Registration.Status.CONFIRMED)
    client.force_login(clerk)
    asked = client.post(LECTURES, {"action": "cancel_requests", "_selected_action": [scheduled.pk]})
    assert asked.status_code == 200 and "취소 사유" in asked.content.decode()
    client.post(LECTURES, {"action": "cancel_requests", "_selected_action": [scheduled.pk], "apply": "1",
                           "reason": "강사 사정"})
    scheduled.refresh_from_db()
    event.refresh_from_db()
    assert scheduled.status == LectureRequest.Status.CANCELLED and scheduled.cancel_reason == "강사 사정"
    assert event.status == Event.Status.CANCELLED
    inapp = Message.objects.filter(channel="inapp")
    assert inapp.filter(recipient=staff_a, kind="partners.lecture_cancelled").exists()
    assert inapp.filter(recipient=scheduled.lecturer.user, kind="partners.lecture_cancelled").exists()
    assert inapp.filter(recipient=citizen, kind="events.event_cancelled").exists()


def test_the_cancel_step_on_the_lecture_page_asks_a_reason(client, staff_a, scheduled):
    client.force_login(staff_a)
    page = client.get(f"{LECTURES}{scheduled.pk}/change/").content.decode()
    assert f"{LECTURES}{scheduled.pk}/cancel/" in page
    refused = client.post(f"{LECTURES}{scheduled.pk}/cancel/", {"reason": ""})
    assert refused.status_code == 200
    scheduled.refresh_from_db()
    assert scheduled.status == LectureRequest.Status.SCHEDULED
    done = client.post(f"{LECTURES}{scheduled.pk}/cancel/", {"reason": "행사장 공사"})
    assert done.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.status == LectureRequest.Status.CANCELLED


def test_superuser_bulk_delete_asks_a_reason_and_logs_each_row(client, admin_user, agency_a, clause, roles):
    report = ActivityReportFactory(agency=agency_a, clause=clause, title="시험 입력")
    client.force_login(admin_user)
    actions = _actions(client, REPORTS)
    assert "delete_with_reason" in actions and "delete_selected" not in actions
    asked = client.post(REPORTS, {"action": "delete_with_reason", "_selected_action": [report.pk]})
    assert asked.status_code == 200 and "삭제 사유" in asked.content.decode()
    client.post(REPORTS, {"action": "delete_with_reason", "_selected_action": [report.pk], "apply": "1",
                          "delete_reason": ""})
    assert ActivityReport.objects.filter(pk=report.pk).exists()
    client.post(REPORTS, {"action": "delete_with_reason", "_selected_action": [report.pk], "apply": "1",
                          "delete_reason": "시험용으로 만든 보고"})
    assert not ActivityReport.objects.filter(pk=report.pk).exists()
    entry = AccessLogEntry.objects.get(action="delete", record_type="partners.activityreport")
    assert entry.record_id == str(report.pk) and entry.reason == "시험용으로 만든 보고" and entry.actor == admin_user


def test_superuser_single_delete_needs_a_reason(client, admin_user, agency_a, clause):
    report = ActivityReportFactory(agency=agency_a, clause=clause)
    client.force_login(admin_user)
    url = f"{REPORTS}{report.pk}/delete/"
    assert 'name="delete_reason"' in client.get(url).content.decode()
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert ActivityReport.objects.filter(pk=report.pk).exists()
    client.post(url, {"post": "yes", "delete_reason": "개인정보가 잘못 들어감"})
    assert not ActivityReport.objects.filter(pk=report.pk).exists()
    assert AccessLogEntry.objects.filter(action="delete", record_id=str(report.pk),
                                         reason="개인정보가 잘못 들어감").exists()


def test_a_workflow_delete_added_to_a_role_by_mistake_is_not_granted(monkeypatch, roles):
    from accounts import roles as role_module

    monkeypatch.setitem(role_module.ROLE_PERMISSIONS, "city_clerk",
                        role_module.ROLE_PERMISSIONS["city_clerk"] | {"partners.delete_activityreport"})
    role_module.role_permissions_sync()
    assert not Group.objects.get(name="city_clerk").permissions.filter(codename="delete_activityreport").exists()


def test_a_superusers_delete_of_a_scheduled_lecture_cancels_it_first(client, admin_user, staff_a, scheduled, citizen):
    event = scheduled.event
    Registration.objects.create(event=event, user=citizen, party_size=1, status=Registration.Status.CONFIRMED)
    client.force_login(admin_user)
    client.post(LECTURES, {"action": "delete_with_reason", "_selected_action": [scheduled.pk], "apply": "1",
                           "delete_reason": "잘못 만든 요청"})
    assert not LectureRequest.objects.filter(pk=scheduled.pk).exists()
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    inapp = Message.objects.filter(channel="inapp")
    assert inapp.filter(recipient=citizen, kind="events.event_cancelled").exists()
    assert inapp.filter(recipient=staff_a, kind="partners.lecture_cancelled", body__contains="잘못 만든 요청").exists()
