"""The calendar views: month boundaries in Seoul time, bad parameters, filters, query counts."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event
from events.selectors import parse_month, parse_week

from .factories import AgencyFactory, EventFactory

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")


def at(*args):
    return datetime(*args, tzinfo=SEOUL)


def day_events(response, day: date) -> list[str]:
    for week in response.context["weeks"]:
        for cell in week:
            if cell.date == day:
                return [e.title_ko for e in cell.events]
    raise AssertionError(f"{day} not in the grid")


def listed(response) -> dict[date, list[str]]:
    return {d.date: [e.title_ko for e in d.events] for d in response.context["listed_days"]}


def test_month_boundaries_follow_seoul_time_not_utc(client):
    # 23:30 on 30 April in Seoul is still 30 April although it is 14:30 UTC; 00:30 on 1 May in
    # Seoul is 30 April 15:30 UTC but belongs to May.
    EventFactory(title_ko="4월 마지막 밤", starts_at=at(2027, 4, 30, 23, 30), ends_at=at(2027, 4, 30, 23, 50))
    EventFactory(title_ko="5월 첫 새벽", starts_at=at(2027, 5, 1, 0, 30), ends_at=at(2027, 5, 1, 1, 0))
    EventFactory(title_ko="3월 마지막", starts_at=at(2027, 3, 31, 23, 59), ends_at=at(2027, 3, 31, 23, 59))
    EventFactory(title_ko="4월 첫날", starts_at=at(2027, 4, 1, 0, 0), ends_at=at(2027, 4, 1, 1, 0))

    april = client.get("/events/?month=2027-04")
    assert april.status_code == 200
    assert day_events(april, date(2027, 4, 30)) == ["4월 마지막 밤"]
    assert day_events(april, date(2027, 4, 1)) == ["4월 첫날"]
    # The grid shows the neighbouring days (31 March, 1 May) greyed out; the phone list only April.
    assert day_events(april, date(2027, 5, 1)) == ["5월 첫 새벽"]
    assert day_events(april, date(2027, 3, 31)) == ["3월 마지막"]
    assert listed(april) == {date(2027, 4, 1): ["4월 첫날"], date(2027, 4, 30): ["4월 마지막 밤"]}
    # The week starts on Sunday: April 2027 begins on a Thursday.
    weeks = april.context["weeks"]
    assert weeks[0][0].date == date(2027, 3, 28) and weeks[-1][-1].date == date(2027, 5, 1)

    may = client.get("/events/?month=2027-05")
    assert listed(may) == {date(2027, 5, 1): ["5월 첫 새벽"]}
    assert "23:30" in april.content.decode()  # times shown in Seoul time


def test_a_multi_day_event_shows_on_each_of_its_days(client):
    EventFactory(title_ko="이틀 박람회", starts_at=at(2027, 4, 17, 10), ends_at=at(2027, 4, 18, 17))
    response = client.get("/events/?month=2027-04")
    assert day_events(response, date(2027, 4, 17)) == ["이틀 박람회"]
    assert day_events(response, date(2027, 4, 18)) == ["이틀 박람회"]


def test_december_links_to_january_of_the_next_year(client):
    response = client.get("/events/?month=2027-12")
    assert response.context["next_month"] == date(2028, 1, 1)
    assert response.context["prev_month"] == date(2027, 11, 1)
    assert 'href="?month=2028-01"' in response.content.decode()


@time_machine.travel(datetime(2027, 2, 10, 12, 0, tzinfo=SEOUL), tick=False)
@pytest.mark.parametrize("bad", ["2027-13", "2027-4", "abcd", "2027-00", "99999-01", "2027-04-01", "%00", "0000-01",
                                 "２０２７-０４", "2027-04\n", ""])
def test_malformed_month_falls_back_to_the_current_month(client, bad):
    response = client.get("/events/", {"month": bad, "stage": "<script>", "type": "x" * 500, "organiser": "' OR 1=1"})
    assert response.status_code == 200
    assert response.context["month"] == date(2027, 2, 1)
    assert not response.context["filters"].active


def test_parsers_handle_edges():
    assert parse_month("2027-04") == date(2027, 4, 1)
    assert parse_week("2027-04-14") == date(2027, 4, 11)  # a Wednesday → its Sunday
    assert parse_week("2027-04-11") == date(2027, 4, 11)
    assert parse_week("2027-02-30") == parse_week(None)  # impossible date → this week


def test_week_and_list_views_and_bad_week(client):
    EventFactory(title_ko="주간 행사", starts_at=at(2027, 4, 14, 10), ends_at=at(2027, 4, 14, 12))
    response = client.get("/events/week/?week=2027-04-14")
    assert response.status_code == 200
    assert [d.date for d in response.context["days"]][0] == date(2027, 4, 11)
    assert "주간 행사" in response.content.decode()
    assert client.get("/events/week/?week=garbage").status_code == 200
    assert client.get("/events/list/?page=abc&past=1").status_code == 200


def test_filters_by_stage_type_and_organiser(client):
    agency = AgencyFactory(slug="police")
    EventFactory(title_ko="임신 교실", life_stages="pregnancy_birth", starts_at=at(2027, 4, 5, 10),
                 ends_at=at(2027, 4, 5, 11))
    EventFactory(title_ko="경찰서 강연", type=Event.Type.LECTURE, organiser=agency, organiser_office="",
                 life_stages="jobs_housing", starts_at=at(2027, 4, 6, 10), ends_at=at(2027, 4, 6, 11))

    def titles(query):
        response = client.get(f"/events/?month=2027-04&{query}")
        return sorted(t for ts in listed(response).values() for t in ts)

    assert titles("") == ["경찰서 강연", "임신 교실"]
    assert titles("stage=pregnancy_birth") == ["임신 교실"]
    assert titles("type=lecture") == ["경찰서 강연"]
    assert titles("organiser=police") == ["경찰서 강연"]
    assert titles("organiser=city") == ["임신 교실"]
    assert titles("organiser=nobody") == ["경찰서 강연", "임신 교실"]


def test_sub_events_and_unpublished_events_stay_off_the_grid(client):
    fair = EventFactory(title_ko="박람회", starts_at=at(2027, 4, 17, 10), ends_at=at(2027, 4, 17, 17))
    EventFactory(title_ko="부스", parent=fair, starts_at=at(2027, 4, 17, 11), ends_at=at(2027, 4, 17, 12))
    EventFactory(title_ko="비공개", is_public=False, starts_at=at(2027, 4, 18, 11), ends_at=at(2027, 4, 18, 12))
    response = client.get("/events/?month=2027-04")
    assert listed(response) == {date(2027, 4, 17): ["박람회"]}


def test_the_month_table_is_accessible_markup(client):
    content = client.get("/events/?month=2027-04").content.decode()
    assert "<caption>2027년 4월 행사 달력</caption>" in content
    assert content.count('<th scope="col">') == 7


def _month_queries(client, count: int) -> int:
    Event.objects.all().delete()
    agency = AgencyFactory(slug="kepco")
    start = at(2027, 4, 1, 9)
    Event.objects.bulk_create(
        EventFactory.build(organiser=agency, starts_at=start + timedelta(minutes=40 * i),
                           ends_at=start + timedelta(days=29))
        for i in range(count)
    )
    client.get("/events/?month=2027-03")  # settle per-person cached parts (the header's unread count)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/events/?month=2027-04&stage=&type=fair")
        response = client.get("/events/?month=2027-04")
    assert response.status_code == 200
    assert sum(len(d.events) > 0 for d in response.context["listed_days"]) > 0
    return len(ctx.captured_queries)


def test_month_view_query_count_is_the_same_for_10_and_1000_events(client, citizen):
    client.force_login(citizen)
    few = _month_queries(client, 10)
    many = _month_queries(client, 1000)
    assert few == many, f"{few} queries with 10 events, {many} with 1000"


def test_now_is_today_in_seoul(client):
    # 2027-04-30 20:00 UTC is already 1 May in Seoul.
    with time_machine.travel(datetime(2027, 4, 30, 20, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        response = client.get("/events/")
        assert response.context["month"] == date(2027, 5, 1)
        assert timezone.localdate() == date(2027, 5, 1)


def test_an_empty_month_says_where_the_calendar_goes_on(client):
    # The next event starts at 00:30 on 1 June in Seoul (31 May in UTC): the link must say June.
    nxt = EventFactory(title_ko="6월 첫 행사", starts_at=at(2027, 6, 1, 0, 30), ends_at=at(2027, 6, 1, 2, 0))
    EventFactory(title_ko="지난 행사", starts_at=at(2027, 2, 1, 10, 0), ends_at=at(2027, 2, 1, 12, 0))
    content = client.get("/events/?month=2027-04").content.decode()
    assert "이 달에는 행사가 없습니다." in content
    assert f'href="{nxt.get_absolute_url()}"' in content and "6월 첫 행사" in content
    assert 'href="?month=2027-06"' in content and "2027년 6월 달력 보기" in content
    # A month with events does not point elsewhere; filters carry over to the next month's link.
    assert "다음 행사:" not in client.get("/events/?month=2027-06").content.decode()
    filtered = client.get("/events/?month=2027-04&type=fair").content.decode()
    assert "다음 행사:" not in filtered  # no fair is coming
