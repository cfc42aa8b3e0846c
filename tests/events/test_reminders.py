"""Reminders the day before and two hours before, once per person however often beat runs them;
feedback requests after the event."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_user
from events import services, tasks
from events.models import Registration
from notifications.models import Message

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

S = Registration.Status


def reminders_for(user):
    return Message.objects.filter(recipient=user, kind="events.reminder", channel="inapp")


def test_day_before_and_two_hour_reminders_are_sent_once_even_when_the_task_runs_twice(citizen, other_citizen):
    now = timezone.now()
    event = EventFactory(starts_at=now + timedelta(hours=20))
    RegistrationFactory(event=event, user=citizen)
    RegistrationFactory(event=event, user=other_citizen, status=S.WAITLISTED)  # the waitlist is not reminded

    assert tasks.send_reminders.apply().get() == 1
    assert tasks.send_reminders.apply().get() == 0  # beat ran it twice
    assert reminders_for(citizen).count() == 1
    assert not reminders_for(other_citizen).exists()

    # 19 hours later the event is 1 hour away: the two-hour reminder, once.
    later = now + timedelta(hours=19)
    assert services.reminders_send(now=later) == 1
    assert services.reminders_send(now=later) == 0
    assert reminders_for(citizen).count() == 2


def test_a_lost_claim_still_sends_only_once_thanks_to_the_idempotency_key(citizen):
    # Simulates two workers that both passed the claim (e.g. a redelivered task after a crash
    # that committed the message but not the stamp): notify's idempotency key keeps it to one.
    now = timezone.now()
    event = EventFactory(starts_at=now + timedelta(hours=10))
    registration = RegistrationFactory(event=event, user=citizen)
    services.reminders_send(now=now)
    Registration.objects.filter(pk=registration.pk).update(reminded_day_before_at=None)
    services.reminders_send(now=now)
    assert reminders_for(citizen).count() == 1


def test_cancelled_events_and_far_future_events_get_no_reminder(citizen):
    now = timezone.now()
    RegistrationFactory(event=EventFactory(starts_at=now + timedelta(hours=5), status="cancelled"), user=citizen)
    RegistrationFactory(event=EventFactory(starts_at=now + timedelta(days=3)), user=citizen)
    assert services.reminders_send(now=now) == 0


def test_feedback_is_requested_from_attendees_once_after_the_event(citizen, other_citizen):
    now = timezone.now()
    event = EventFactory(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
    RegistrationFactory(event=event, user=citizen, status=S.ATTENDED, checked_in_at=now - timedelta(hours=3))
    RegistrationFactory(event=event, user=other_citizen)  # confirmed but never checked in
    assert tasks.send_feedback_requests.apply().get() == 1
    assert tasks.send_feedback_requests.apply().get() == 0
    assert Message.objects.filter(kind="events.feedback_request", channel="inapp").get().recipient == citizen


def test_only_checked_in_attendees_are_asked_and_may_leave_feedback(citizen):
    """Issue #20, item 10: a registrant who did not come cannot rate the event."""
    from django.core.exceptions import ValidationError

    now = timezone.now()
    event = EventFactory(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
    registration = RegistrationFactory(event=event, user=citizen)
    assert services.feedback_requests_send(now=now) == 0  # nobody was checked in: nobody is asked
    with pytest.raises(ValidationError, match="입장이 확인된 참석자만"):
        services.feedback_submit(registration=registration, rating=1)
    Registration.objects.filter(pk=registration.pk).update(status=S.ATTENDED, checked_in_at=now - timedelta(hours=3))
    registration.refresh_from_db()
    feedback = services.feedback_submit(registration=registration, rating=5, comment=" 좋았어요 ")
    assert feedback.comment == "좋았어요"


def test_expire_offers_task_passes_the_place_on():
    now = timezone.now()
    event = EventFactory(capacity=1, offer_hold_hours=1)
    a, b = make_user("a@example.com"), make_user("b@example.com")
    RegistrationFactory(event=event, user=a, status=S.OFFERED, offer_expires_at=now - timedelta(minutes=1))
    waiting = RegistrationFactory(event=event, user=b, status=S.WAITLISTED)
    assert tasks.expire_offers.apply().get() == 1
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED
