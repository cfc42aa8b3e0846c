"""Issue #20, item 9: a weekly series as a course — sessions linked to each other and to the series
page, one course registration for every session, and the series as one RRULE event (EXDATE for
skipped weeks) in the calendar files."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from icalendar import Calendar

from events import services
from events.models import CourseRegistration, Event, EventSeries, Registration
from notifications.models import Message

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
S = Registration.Status
NOW = datetime(2027, 2, 1, 12, 0, tzinfo=SEOUL)


@pytest.fixture(autouse=True)
def _before_the_course():
    with time_machine.travel(NOW, tick=True):
        yield


def make_series(*, course=True, capacity=20, weeks=13) -> tuple[EventSeries, list[Event]]:
    first = date(2027, 3, 6)  # a Saturday
    series = EventSeries.objects.create(
        title_ko="부부 출산교실", type=Event.Type.CLASS, weekday=5, start_time=time(10, 0), duration_minutes=120,
        first_date=first, last_date=first + timedelta(weeks=weeks - 1), capacity=capacity, party_size_max=2,
        registration_required=True, waitlist_limit=5, registration_opens_days_before=60,
        venue="보건소 교육실", course_registration=course,
    )
    return series, services.series_generate_occurrences(series=series)


def test_sessions_link_to_each_other_and_to_the_series_page(client):
    series, sessions = make_series()
    page = client.get(f"/events/{sessions[2].pk}/").content.decode()
    assert f'href="/events/series/{series.pk}/"' in page
    assert "전체 13회 중 3회차" in page
    assert f'rel="prev" href="/events/{sessions[1].pk}/"' in page
    assert f'rel="next" href="/events/{sessions[3].pk}/"' in page
    series_page = client.get(f"/events/series/{series.pk}/").content.decode()
    assert all(f'href="/events/{s.pk}/"' in series_page for s in sessions)


def test_one_course_registration_takes_a_place_in_every_session_and_is_told_once(citizen):
    series, sessions = make_series()
    course = services.course_register(series=series, user=citizen, consent=True, party_size=2)
    registrations = Registration.objects.filter(user=citizen).order_by("event__starts_at")
    assert [r.event_id for r in registrations] == [s.pk for s in sessions]
    assert {(r.status, r.party_size, r.course_id) for r in registrations} == {(S.CONFIRMED, 2, course.pk)}
    notices = Message.objects.filter(recipient=citizen, channel="inapp")
    assert [m.kind for m in notices] == ["events.course_registered"]
    assert "13회" in notices[0].body
    with pytest.raises(ValidationError, match="이미 이 강좌에 신청하셨습니다"):
        services.course_register(series=series, user=citizen, consent=True)


def test_a_course_is_refused_whole_when_any_session_is_full_and_single_sessions_are_not_registered(
        citizen, other_citizen):
    series, sessions = make_series(capacity=1)
    Registration.objects.create(event=sessions[4], user=other_citizen, status=S.CONFIRMED)
    with pytest.raises(ValidationError, match="정원이 찬 회차가 있어"):
        services.course_register(series=series, user=citizen, consent=True)
    assert not Registration.objects.filter(user=citizen).exists()
    assert not CourseRegistration.objects.exists()
    with pytest.raises(ValidationError, match="모든 회차를 한 번에 신청합니다"):
        services.registration_create(event=sessions[0], user=citizen, consent=True)


def test_over_http_a_session_points_to_the_course_form_and_the_course_is_registered_and_cancelled(client, citizen):
    series, sessions = make_series()
    client.force_login(citizen)
    session_page = client.get(f"/events/{sessions[0].pk}/").content.decode()
    assert f'action="/events/{sessions[0].pk}/register/"' not in session_page
    assert "모든 회차를 한 번에 신청합니다" in session_page
    page = client.get(f"/events/series/{series.pk}/").content.decode()
    assert f'action="/events/series/{series.pk}/register/"' in page
    no_consent = client.post(f"/events/series/{series.pk}/register/", {"party_size": "2"})
    assert no_consent.status_code == 400 and not CourseRegistration.objects.exists()
    response = client.post(f"/events/series/{series.pk}/register/", {"consent": "on", "party_size": "2"}, follow=True)
    assert "강좌 전체 신청이 확정되었습니다" in response.content.decode()
    course = CourseRegistration.objects.get(user=citizen)
    # A second course registration: the series page again, with the refusal, as a conflict.
    again = client.post(f"/events/series/{series.pk}/register/", {"consent": "on", "party_size": "2"})
    assert again.status_code == 409
    assert "이미 이 강좌에 신청하셨습니다" in again.content.decode()
    assert '<main id="main-content"' in again.content.decode()
    assert CourseRegistration.objects.filter(user=citizen).count() == 1
    assert course.registrations.filter(status=S.CONFIRMED).count() == 13
    client.post(f"/events/courses/{course.pk}/cancel/")
    course.refresh_from_db()
    assert course.cancelled_at is not None
    assert not Registration.objects.filter(user=citizen).exclude(status=S.CANCELLED).exists()


def test_a_series_that_is_not_a_course_keeps_registration_per_session(citizen):
    series, sessions = make_series(course=False)
    assert services.registration_create(event=sessions[0], user=citizen, consent=True).status == S.CONFIRMED
    with pytest.raises(ValidationError, match="회차별로 신청합니다"):
        services.course_register(series=series, user=citizen, consent=True)


def _series_vevents(cal):
    return [v for v in cal.walk("VEVENT") if str(v["UID"]).startswith("series-")]


def test_the_feed_and_the_series_file_carry_the_series_as_one_event_with_rrule_and_exdate(client):
    series, sessions = make_series()
    sessions[4].delete()  # week 5 skipped
    services.event_cancel(event=sessions[7], reason="강사 사정")  # week 8 cancelled
    moved_start = sessions[9].starts_at + timedelta(hours=4)
    services.event_update(event=sessions[9], values={"starts_at": moved_start,
                                                     "ends_at": moved_start + timedelta(hours=2)})
    for url in ("/events/feed.ics", f"/events/series/{series.pk}/series.ics"):
        cal = Calendar.from_ical(client.get(url).content)
        master, *overrides = _series_vevents(cal)
        assert not [v for v in cal.walk("VEVENT") if str(v["UID"]).startswith("event-")]  # not 13 loose events
        assert master.decoded("DTSTART") == datetime(2027, 3, 6, 10, 0, tzinfo=SEOUL)
        rrule = master["RRULE"]
        assert rrule["FREQ"] == ["WEEKLY"]
        assert rrule["UNTIL"][0] == datetime(2027, 5, 29, 10, 0, tzinfo=SEOUL)
        exdates = sorted(d.dt for prop in (master["EXDATE"] if isinstance(master["EXDATE"], list)
                                           else [master["EXDATE"]]) for d in prop.dts)
        assert exdates == [datetime(2027, 4, 3, 10, 0, tzinfo=SEOUL), datetime(2027, 4, 24, 10, 0, tzinfo=SEOUL)]
        [moved] = overrides
        assert moved.decoded("RECURRENCE-ID") == datetime(2027, 5, 8, 10, 0, tzinfo=SEOUL)
        assert moved.decoded("DTSTART") == datetime(2027, 5, 8, 14, 0, tzinfo=SEOUL)
    # A single session's own file stays that one session.
    [single] = Calendar.from_ical(client.get(f"/events/{sessions[0].pk}/event.ics").content).walk("VEVENT")
    assert str(single["UID"]) == f"event-{sessions[0].pk}@events.gwangmyeong-portal" and "RRULE" not in single


def test_course_registrations_go_with_their_sessions_after_the_retention_period(citizen, settings):
    from django.utils import timezone

    series, sessions = make_series(weeks=2)
    services.course_register(series=series, user=citizen, consent=True)
    later = sessions[-1].ends_at + timedelta(days=settings.REGISTRATION_RETENTION_DAYS + 2)
    assert services.registration_purge_expired(now=later) == 2
    assert not CourseRegistration.objects.exists()
    assert timezone.localdate(later) > series.last_date
