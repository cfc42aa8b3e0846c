"""The admin's front page is a to-do list: agency staff see counts of their own agency's waiting
work with links, never another agency's; clerks see what waits for the city."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import make_user
from events.models import Event
from matchmaking.models import Verification
from partners.models import ActivityReport, LectureRequest

from ..events.factories import EventFactory
from .factories import ActivityReportFactory, LectureRequestFactory

pytestmark = pytest.mark.django_db


def _todo(client, user) -> dict[str, tuple[int, str]]:
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    from gwangmyeong_portal.admin_todo import staff_todo

    items = {str(item.label): (item.count, item.url) for item in staff_todo(user)}
    page = response.content.decode()
    for label, (count, url) in items.items():
        assert label in page and url.replace("&", "&amp;") in page and f"{count}건" in page
    return items


@pytest.fixture
def work(agency_a, agency_b, clause, lecturer, staff_a, staff_b):
    staff_a.agency_membership.can_verify_employees = True
    staff_a.agency_membership.can_manage_events = True
    staff_a.agency_membership.save()
    for agency, n in ((agency_a, 2), (agency_b, 1)):
        for _ in range(n):
            ActivityReportFactory(agency=agency, clause=clause, status=ActivityReport.Status.RETURNED,
                                  city_comment="사진을 붙여 주세요")
    ActivityReportFactory(agency=agency_b, clause=clause, status=ActivityReport.Status.SUBMITTED)
    past = timezone.now() - dt.timedelta(days=1)
    LectureRequestFactory(agency=agency_a, status=LectureRequest.Status.SCHEDULED, lecturer=lecturer,
                          scheduled_start=past, scheduled_end=past + dt.timedelta(hours=2))
    LectureRequestFactory(agency=agency_b)  # waiting for the city
    Verification.objects.create(user=make_user("member@agency-a.example.com"), agency=agency_a)
    Verification.objects.create(user=make_user("member@agency-b.example.com"), agency=agency_b)
    EventFactory(organiser=agency_a, starts_at=timezone.now() + dt.timedelta(days=5))
    EventFactory(organiser=agency_b, starts_at=timezone.now() + dt.timedelta(days=5))
    EventFactory(organiser=agency_a, starts_at=timezone.now() + dt.timedelta(days=5), status=Event.Status.CANCELLED)


def test_agency_staff_land_on_their_own_to_do_list(client, work, staff_a):
    items = _todo(client, staff_a)
    assert items["반려되어 고칠 활동 보고"][0] == 2
    assert "status__exact=returned" in items["반려되어 고칠 활동 보고"][1]
    assert items["강의 완료를 기록할 강의"][0] == 1
    assert items["확인을 기다리는 재직 확인 요청"][0] == 1
    assert items["30일 안에 열리는 내 행사"][0] == 1
    assert "검토를 기다리는 활동 보고" not in items  # the city's work, not the agency's


def test_staff_without_a_capability_do_not_get_its_line(client, work, staff_b):
    items = _todo(client, staff_b)
    assert items["반려되어 고칠 활동 보고"][0] == 1
    assert "확인을 기다리는 재직 확인 요청" not in items and "30일 안에 열리는 내 행사" not in items


def test_clerks_see_what_waits_for_the_city(client, work, clerk):
    items = _todo(client, clerk)
    assert items["검토를 기다리는 활동 보고"][0] == 1
    assert items["강사 배정을 기다리는 파견 요청"][0] == 1
    assert items["30일 안에 열리는 내 행사"][0] == 2


def test_the_to_do_list_costs_the_same_queries_with_more_work(work, staff_a, agency_a, clause):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from gwangmyeong_portal.admin_todo import staff_todo

    def queries():
        user = User.objects.get(pk=staff_a.pk)  # a fresh request's user: nothing cached on it
        with CaptureQueriesContext(connection) as captured:
            items = staff_todo(user)
        return len(captured), {str(i.label): i.count for i in items}

    before, _counts = queries()
    ActivityReportFactory.create_batch(5, agency=agency_a, clause=clause, status=ActivityReport.Status.RETURNED,
                                       city_comment="다시")
    after, counts = queries()
    assert after == before and counts["반려되어 고칠 활동 보고"] == 7
