"""Journeys of the partners app: the public agreement page, and agency staff reporting an activity
and requesting a lecture in the admin."""

import pytest
from django.utils import timezone

from accounts.roles import role_permissions_sync
from partners.models import ActivityReport, LectureRequest
from tests.partners.factories import ActivityReportFactory, AgencyFactory, ClauseFactory, future, staff_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agreement_data():
    agency = AgencyFactory(slug="police", name_ko="광명경찰서", name_en="Gwangmyeong Police Station")
    clause = ClauseFactory(number=5, text_ko="일과 가정생활이 함께 가는 분위기를 만든다.", signatories=[agency])
    ActivityReportFactory(agency=agency, clause=clause, status=ActivityReport.Status.ACCEPTED, title="정시 퇴근 캠페인")
    return agency, clause


def test_partners_pages_are_accessible(page, axe_audit, viewport, agreement_data):
    page.goto("/partners/")
    assert page.get_by_role("heading", level=1).inner_text() == "협약 기관"
    assert page.get_by_text("정시 퇴근 캠페인").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    axe_audit(page)
    page.get_by_role("link", name="광명경찰서").first.click()
    page.wait_for_url("**/partners/police/")
    axe_audit(page)


def test_agency_staff_report_an_activity_and_request_a_lecture_in_the_admin(page, login, viewport, agreement_data):
    if viewport["width"] < 800:
        pytest.skip("the admin journey runs on the desktop viewport")
    agency, clause = agreement_data
    role_permissions_sync()
    staff = staff_of(agency, "staff@police.example.com")
    login(staff)

    page.goto("/admin/partners/activityreport/add/")
    page.select_option("select[name=clause]", str(clause.pk))
    page.fill("input[name=date]", f"{timezone.localdate():%Y-%m-%d}")
    page.fill("input[name=title]", "가족 사랑의 날")
    page.fill("textarea[name=description]", "직원 80명이 정시에 퇴근했습니다.")
    page.fill("input[name=participants]", "80")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/partners/activityreport/")
    report = ActivityReport.objects.get(title="가족 사랑의 날")
    assert report.agency == agency and report.status == ActivityReport.Status.DRAFT

    page.locator(f"input[name=_selected_action][value='{report.pk}']").check()
    page.select_option("select[name=action]", "submit_reports")
    page.locator("button[name=index]").click()
    page.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.SUBMITTED

    when = future(12, 14)
    page.goto("/admin/partners/lecturerequest/add/")
    page.select_option("select[name=audience]", "staff")
    page.fill("input[name=expected_size]", "60")
    page.fill("input[name=venue]", "대회의실")
    page.fill("input[name=topic]", "함께 키우는 직장")
    page.fill("input[name=preferred_start_1_0]", f"{when:%Y-%m-%d}")
    page.fill("input[name=preferred_start_1_1]", f"{when:%H:%M}")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/partners/lecturerequest/")
    lecture = LectureRequest.objects.get(topic="함께 키우는 직장")
    assert lecture.agency == agency and lecture.requested_by == staff and lecture.preferred_start_1 == when
