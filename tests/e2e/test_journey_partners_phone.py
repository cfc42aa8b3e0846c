"""Journey: agency staff report an activity and request a lecture in the admin on a 360 px phone
(the Django admin is responsive). The desktop run of the same journey is in test_partners.py.
axe-core audits every admin page visited."""

import pytest
from django.utils import timezone

from accounts.roles import role_permissions_sync
from partners.models import ActivityReport, LectureRequest
from tests.partners.factories import AgencyFactory, ClauseFactory, future, staff_of

from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_agency_staff_report_and_request_a_lecture_on_a_phone(page, login, axe_audit, viewport):
    agency = AgencyFactory(slug="police", name_ko="광명경찰서", name_en="Gwangmyeong Police Station")
    clause = ClauseFactory(number=5, text_ko="일과 가정생활이 함께 가는 분위기를 만든다.", signatories=[agency])
    role_permissions_sync()
    staff = staff_of(agency, "staff@police.example.com")
    login(staff)

    def fits():
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1, page.url

    page.goto("/admin/")
    axe_audit(page)
    page.get_by_role("link", name="활동 보고", exact=True).first.click()
    page.wait_for_url("**/admin/partners/activityreport/")
    axe_audit(page)
    page.goto("/admin/partners/activityreport/add/")
    axe_audit(page)
    fits()
    page.select_option("select[name=clause]", str(clause.pk))
    page.fill("input[name=date]", f"{timezone.localdate():%Y-%m-%d}")
    page.fill("input[name=title]", "가족 사랑의 날")
    page.fill("textarea[name=description]", "직원 80명이 정시에 퇴근했습니다.")
    page.fill("input[name=participants]", "80")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/partners/activityreport/")
    report = ActivityReport.objects.get(title="가족 사랑의 날")
    assert report.agency == agency and report.status == ActivityReport.Status.DRAFT
    axe_audit(page)

    page.locator(f"input[name=_selected_action][value='{report.pk}']").check()
    page.select_option("select[name=action]", "submit_reports")
    page.locator("button[name=index]").click()
    page.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.SUBMITTED
    axe_audit(page)

    when = future(12, 14)
    page.goto("/admin/partners/lecturerequest/add/")
    axe_audit(page)
    fits()
    page.select_option("select[name=audience]", "staff")
    page.fill("input[name=expected_size]", "60")
    page.fill("input[name=venue]", "대회의실")
    page.fill("input[name=topic]", "함께 키우는 직장")
    page.fill("input[name=preferred_start_1_0]", f"{when:%Y-%m-%d}")
    page.fill("input[name=preferred_start_1_1]", f"{when:%H:%M}")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/partners/lecturerequest/")
    axe_audit(page)
    lecture = LectureRequest.objects.get(topic="함께 키우는 직장")
    assert lecture.agency == agency and lecture.requested_by == staff and lecture.preferred_start_1 == when
