"""``Event.registration_open_at``: the one rule of "registration is open now", used by the event
page and the open data API. Its edges, on unsaved events (no database), and both callers agreeing."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event, EventSeries

from .factories import EventFactory

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 5, 5, 10, 0, tzinfo=SEOUL)
SECOND = timedelta(seconds=1)


def event(**fields) -> Event:
    values = {"registration_required": True, "status": Event.Status.SCHEDULED,
              "starts_at": NOW + timedelta(days=3), "registration_opens_at": None, "registration_closes_at": None}
    values.update(fields)
    return Event(**values)


def test_open_without_a_window_until_the_event_starts():
    assert event().registration_open_at(NOW)
    assert event(starts_at=NOW + SECOND).registration_open_at(NOW)
    assert not event(starts_at=NOW).registration_open_at(NOW)  # starting now: too late
    assert not event(starts_at=NOW - SECOND).registration_open_at(NOW)


def test_never_open_when_no_registration_is_taken():
    assert not event(registration_required=False).registration_open_at(NOW)


@pytest.mark.parametrize("status", [Event.Status.CANCELLED, Event.Status.POSTPONED])
def test_never_open_for_a_cancelled_or_postponed_event(status):
    assert not event(status=status).registration_open_at(NOW)


def test_the_opening_moment_itself_is_open_and_a_second_before_is_not():
    assert event(registration_opens_at=NOW).registration_open_at(NOW)
    assert not event(registration_opens_at=NOW + SECOND).registration_open_at(NOW)
    assert event(registration_opens_at=NOW - SECOND).registration_open_at(NOW)


def test_the_closing_moment_itself_is_open_and_a_second_after_is_not():
    assert event(registration_closes_at=NOW).registration_open_at(NOW)
    assert not event(registration_closes_at=NOW - SECOND).registration_open_at(NOW)
    assert event(registration_opens_at=NOW - SECOND, registration_closes_at=NOW + SECOND).registration_open_at(NOW)


def test_a_close_after_the_start_still_ends_at_the_start():
    late_close = event(starts_at=NOW - SECOND, registration_closes_at=NOW + timedelta(days=1))
    assert not late_close.registration_open_at(NOW)


def test_the_plain_values_rule_is_the_same_rule():
    for fields in ({}, {"registration_opens_at": NOW + SECOND}, {"status": Event.Status.CANCELLED}):
        instance = event(**fields)
        assert Event.registration_window_open(
            now=NOW, registration_required=instance.registration_required, status=instance.status,
            starts_at=instance.starts_at, registration_opens_at=instance.registration_opens_at,
            registration_closes_at=instance.registration_closes_at,
        ) is instance.registration_open_at(NOW)


# --- The two callers ---------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("opens_in, shown", [(timedelta(days=-1), True), (timedelta(days=1), False)])
def test_event_page_and_open_data_api_agree(client, citizen, opens_in, shown):
    now = timezone.now()
    subject = EventFactory(registration_opens_at=now + opens_in)
    client.force_login(citizen)
    page = client.get(reverse("events:detail", args=[subject.pk]))
    assert (page.context["form"] is not None) is shown
    client.logout()
    answer = client.get(f"/api/v1/events/{subject.pk}").json()
    assert answer["registration_open"] is shown


@pytest.mark.django_db
def test_a_course_session_sends_registration_to_the_series_page(client, citizen):
    series = EventSeries.objects.create(title_ko="부부 출산교실", type=Event.Type.CLASS, weekday=5,
                                        start_time=NOW.time(), first_date=NOW.date(), last_date=NOW.date(),
                                        registration_required=True, course_registration=True)
    session = EventFactory(series=series)
    client.force_login(citizen)
    page = client.get(reverse("events:detail", args=[session.pk]))
    assert page.context["window_open"] is False and page.context["form"] is None
    # Its own window is open (the API says so); the page sends the citizen to the whole course.
    assert session.registration_open_at(timezone.now())
