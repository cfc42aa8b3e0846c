"""A scheduled lecture appears on the events calendar as a lecture event; moving or cancelling it follows."""

import pytest

from partners import services

from .factories import LectureRequestFactory, LecturerFactory, future

pytestmark = pytest.mark.django_db

Event = pytest.importorskip("events.models").Event
pytest.importorskip("events.services")


def test_schedule_puts_a_lecture_event_on_the_calendar_and_cancel_takes_it_off(agency_a, clerk, staff_a, lecturer):
    lecture = LectureRequestFactory(agency=agency_a, requested_by=staff_a, audience="citizens")
    services.lecture_request_schedule(lecture=lecture, actor=clerk, lecturer=lecturer, start=future(6, 14),
                                      end=future(6, 16))
    lecture.refresh_from_db()
    event = lecture.event
    assert event.type == Event.Type.LECTURE and event.organiser == agency_a and event.is_public
    assert (event.starts_at, event.ends_at, event.venue) == (future(6, 14), future(6, 16), lecture.venue)
    # Moving the lecture moves it on the calendar (the old entry is cancelled, a new one written).
    services.lecture_request_schedule(lecture=lecture, actor=clerk, lecturer=LecturerFactory(), start=future(8, 10),
                                      end=future(8, 12))
    lecture.refresh_from_db()
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert lecture.event.starts_at == future(8, 10) and lecture.event.status == Event.Status.SCHEDULED
    services.lecture_request_cancel(lecture=lecture, actor=staff_a, reason="일정 변경")
    lecture.event.refresh_from_db()
    assert lecture.event.status == Event.Status.CANCELLED


def test_a_staff_only_lecture_is_not_public_on_the_calendar(agency_a, clerk, lecturer):
    lecture = LectureRequestFactory(agency=agency_a, audience="staff")
    services.lecture_request_schedule(lecture=lecture, actor=clerk, lecturer=lecturer, start=future(6, 14),
                                      end=future(6, 16))
    lecture.refresh_from_db()
    assert lecture.event is not None and not lecture.event.is_public
