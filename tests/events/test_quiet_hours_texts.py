"""Issue #20, item 6: texts that SMS quiet hours (21:00–08:00 Seoul) would hold until they no longer
matter. A two-hour reminder for an evening event goes before quiet hours begin; a text that cannot
be known in advance (a short offer made at night) is not sent late but dropped, with the reason in
the delivery log, while its in-app and e-mail copies still go."""

from datetime import datetime

import pytest
import time_machine

from conftest import make_user
from events import services, tasks
from events.models import Registration
from notifications.models import Message
from notifications.quiet_hours import SEOUL

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

S = Registration.Status


def seoul(hour, minute=0, day=10):
    return datetime(2027, 5, day, hour, minute, tzinfo=SEOUL)


@pytest.fixture
def texter(db):
    user = make_user("texter@example.com", name="문자수신")
    user.phone = "010-1234-5678"
    user.save(update_fields=["phone"])
    return user


def rows(user, kind):
    return {m.channel: m for m in Message.objects.filter(recipient=user, kind=kind)}


def test_the_two_hour_reminder_of_an_evening_event_goes_before_quiet_hours_not_after_the_event(texter):
    # 23:20–01:20: two hours before is 21:20, inside quiet hours, which would hold the text until 08:00.
    event = EventFactory(starts_at=seoul(23, 20), ends_at=seoul(1, 20, day=11))
    RegistrationFactory(event=event, user=texter, reminded_day_before_at=seoul(0, 0))
    assert services.two_hour_reminder_due(event.starts_at) == seoul(20, 30)
    with time_machine.travel(seoul(20, 20), tick=False):
        assert tasks.send_reminders.apply().get() == 0  # not yet
    with time_machine.travel(seoul(20, 30), tick=False):
        assert tasks.send_reminders.apply().get() == 1
    sms = rows(texter, "events.reminder")["sms"]
    assert sms.status in (Message.Status.PENDING, Message.Status.SENT)  # not held until 08:00
    assert sms.not_before is None


def test_a_daytime_event_keeps_its_reminder_two_hours_before():
    assert services.two_hour_reminder_due(seoul(15, 0)) == seoul(13, 0)
    # Quiet hours end before the start: the text held until 08:00 still comes in time.
    assert services.two_hour_reminder_due(seoul(9, 30)) == seoul(7, 30)


def test_a_reminder_written_during_quiet_hours_that_would_arrive_after_the_start_is_dropped(texter):
    event = EventFactory(starts_at=seoul(23, 50), ends_at=seoul(1, 0, day=11))
    RegistrationFactory(event=event, user=texter, reminded_day_before_at=seoul(0, 0))
    # The job catches up late (a worker was down until 22:00).
    with time_machine.travel(seoul(22, 0), tick=False):
        assert services.reminders_send() == 1
    sent = rows(texter, "events.reminder")
    assert sent["sms"].status == Message.Status.FAILED
    assert "문자를 보내지 않았습니다" in sent["sms"].last_error and "08:00" in sent["sms"].last_error
    assert sent["inapp"].status == Message.Status.SENT
    assert "email" in sent and sent["email"].status != Message.Status.FAILED


def test_a_short_offer_made_at_night_is_not_texted_after_it_expires(texter):
    event = EventFactory(starts_at=seoul(10, 0, day=12), capacity=1, waitlist_limit=5, offer_hold_hours=2)
    holder = RegistrationFactory(event=event, user=make_user("holder@example.com"))
    RegistrationFactory(event=event, user=texter, status=S.WAITLISTED)
    with time_machine.travel(seoul(23, 0), tick=False):
        services.registration_cancel(registration=holder)
    sent = rows(texter, "events.offer_made")
    # Held until 08:00 it would arrive after the 01:00 expiry: dropped, and the log says why.
    assert sent["sms"].status == Message.Status.FAILED and "문자를 보내지 않았습니다" in sent["sms"].last_error
    assert sent["inapp"].status == Message.Status.SENT and sent["email"].status != Message.Status.FAILED


def test_a_long_offer_made_at_night_is_still_held_until_morning(texter):
    event = EventFactory(starts_at=seoul(18, 0, day=12), capacity=1, waitlist_limit=5, offer_hold_hours=24)
    holder = RegistrationFactory(event=event, user=make_user("holder@example.com"))
    RegistrationFactory(event=event, user=texter, status=S.WAITLISTED)
    with time_machine.travel(seoul(23, 0), tick=False):
        services.registration_cancel(registration=holder)
    sms = rows(texter, "events.offer_made")["sms"]
    assert sms.status == Message.Status.HELD and sms.not_before == seoul(8, 0, day=11)
