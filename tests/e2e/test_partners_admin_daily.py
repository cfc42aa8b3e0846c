"""Journeys: agency staff start the day on the admin's to-do list and read why a report was
returned; a clerk books a lecturer with the date and time pickers and is told once when the
lecturer is taken. axe-core audits every page."""

import pytest

from accounts.roles import role_permissions_sync
from partners import services
from partners.models import ActivityReport, LectureRequest
from tests.partners.factories import (
    ActivityReportFactory,
    AgencyFactory,
    ClauseFactory,
    LectureRequestFactory,
    LecturerFactory,
    future,
    staff_of,
)

from .conftest import DESKTOP

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def police():
    agency = AgencyFactory(slug="police", name_ko="광명경찰서", name_en="Gwangmyeong Police Station")
    role_permissions_sync()
    return agency


def test_agency_staff_start_on_their_to_do_list_and_read_the_return_reason(page, login, axe_audit, viewport,
                                                                           police, clerk):
    clause = ClauseFactory(number=5, text_ko="일과 가정생활이 함께 가는 분위기를 만든다.", signatories=[police])
    staff = staff_of(police, "staff@police.example.com")
    report = ActivityReportFactory(agency=police, clause=clause, title="가족 사랑의 날", created_by=staff)
    services.activity_report_submit(report=report, actor=staff)
    services.activity_report_return(report=report, actor=clerk, comment="참석자 명단을 붙여 주세요")
    login(staff)
    page.goto("/admin/")
    axe_audit(page)
    todo = page.locator("section.portal-todo")
    assert "오늘 할 일" in todo.inner_text() and "1건" in todo.inner_text()
    todo.get_by_role("link", name="반려되어 고칠 활동 보고").click()
    page.wait_for_url("**/admin/partners/activityreport/?status__exact=returned")
    axe_audit(page)
    page.get_by_role("link", name="가족 사랑의 날").click()
    page.wait_for_url(f"**/admin/partners/activityreport/{report.pk}/change/**")
    history = page.locator("table.portal-history")
    assert "참석자 명단을 붙여 주세요" in history.inner_text() and "반려됨" in history.inner_text()
    axe_audit(page)


@pytest.mark.parametrize("viewport", [DESKTOP], ids=["desktop"])
def test_clerk_books_a_lecturer_with_pickers_and_sees_a_clash_once(page, login, axe_audit, viewport, police, clerk):
    lecturer = LecturerFactory(name="박인구")
    start, end = future(9, 14), future(9, 16)
    booked = LectureRequestFactory(agency=police, topic="먼저 잡힌 강의")
    services.lecture_request_schedule(lecture=booked, actor=clerk, lecturer=lecturer, start=start, end=end)
    lecture = LectureRequestFactory(agency=police, topic="함께 키우는 직장")
    login(clerk)
    page.goto(f"/admin/partners/lecturerequest/{lecture.pk}/schedule/")
    assert page.locator(".datetimeshortcuts").count() >= 4  # calendar and clock beside start and end
    assert page.locator(".datetimeshortcuts .date-icon").first.is_visible()  # the calendar button is drawn
    # The pickers start at the agency's first wish.
    assert page.input_value("input[name=start_0]") == f"{lecture.preferred_start_1:%Y-%m-%d}"
    axe_audit(page)
    page.select_option("select[name=lecturer]", str(lecturer.pk))
    page.fill("input[name=start_0]", f"{start:%Y-%m-%d}")
    page.fill("input[name=start_1]", f"{start:%H:%M}")
    page.fill("input[name=end_0]", f"{end:%Y-%m-%d}")
    page.fill("input[name=end_1]", f"{end:%H:%M}")
    page.locator("input[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("강의가 잡혀 있습니다").count() == 1
    axe_audit(page)
    later = future(10, 14)
    page.fill("input[name=start_0]", f"{later:%Y-%m-%d}")
    page.fill("input[name=end_0]", f"{later:%Y-%m-%d}")
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"**/admin/partners/lecturerequest/{lecture.pk}/change/")
    lecture.refresh_from_db()
    assert lecture.status == LectureRequest.Status.SCHEDULED and lecture.scheduled_start == later
    assert ActivityReport.objects.count() == 0
