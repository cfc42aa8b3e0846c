"""Issue #20, item 8 (and the message history of item 11): a repeated organiser message says it was
already sent and when, or goes again on purpose; scheduled messages go out once at their time."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import make_user
from events import services, tasks
from events.models import OrganiserMessage, Registration
from notifications.models import Message

from .factories import AgencyFactory, EventFactory, RegistrationFactory, staff_of

pytestmark = pytest.mark.django_db

S = Registration.Status
TEXT = "주차는 지하 2층입니다."


@pytest.fixture
def event_with_four(db):
    agency = AgencyFactory(slug="police", name_ko="광명경찰서")
    event = EventFactory(title_ko="경찰서 인구교육", organiser=agency, organiser_office="")
    for i in range(4):
        RegistrationFactory(event=event, user=make_user(f"p{i}@example.com", name=f"참가자{i}"))
    return staff_of(agency, "a.staff@example.com"), event


def sent_inapp():
    return Message.objects.filter(kind="events.organiser_message", channel="inapp")


def test_the_same_message_twice_is_refused_with_when_it_went_or_sent_again_on_purpose(event_with_four):
    staff, event = event_with_four
    now = timezone.now()
    assert services.registrants_message(event=event, statuses=[S.CONFIRMED], text=TEXT, sent_by=staff, now=now) == 4
    with pytest.raises(services.AlreadySent) as excinfo:
        services.registrants_message(event=event, statuses=[S.CONFIRMED], text=TEXT, sent_by=staff)
    assert services.format_when(now) in excinfo.value.messages[0] and "4명" in excinfo.value.messages[0]
    assert sent_inapp().count() == 4
    # On purpose: written and sent anew.
    assert services.registrants_message(event=event, statuses=[S.CONFIRMED], text=TEXT, again=True) == 4
    assert sent_inapp().count() == 8
    assert list(OrganiserMessage.objects.values_list("recipient_count", flat=True)) == [4, 4]


def test_in_the_admin_a_repeat_says_when_it_was_sent_and_the_checkbox_sends_it_again(client, event_with_four):
    staff, event = event_with_four
    client.force_login(staff)
    post = {"action": "message_registrants", "_selected_action": [event.pk], "statuses": ["confirmed"], "text": TEXT}
    first = client.post("/admin/events/event/", post, follow=True)
    assert "4명에게 안내를 보냈습니다" in first.content.decode()
    again = client.post("/admin/events/event/", post, follow=True).content.decode()
    assert "4명에게 안내를 보냈습니다" not in again
    assert "이미 4명에게 보냈습니다" in again and "다시 보내기" in again
    assert sent_inapp().count() == 4
    third = client.post("/admin/events/event/", {**post, "again": "on"}, follow=True)
    assert "4명에게 안내를 보냈습니다" in third.content.decode()
    assert sent_inapp().count() == 8


def test_a_scheduled_message_goes_out_once_at_its_time_through_the_beat_job(event_with_four):
    staff, event = event_with_four
    now = timezone.now()
    send_at = now + timedelta(hours=3)
    assert services.registrants_message(event=event, statuses=[S.CONFIRMED], text=TEXT, send_at=send_at,
                                        sent_by=staff, now=now) == 0
    assert not sent_inapp().exists()
    assert tasks.send_organiser_messages.apply().get() == 0  # not yet
    with pytest.raises(services.AlreadySent, match="예약되어 있습니다"):
        services.registrants_message(event=event, statuses=[S.CONFIRMED], text=TEXT)
    with time_machine.travel(send_at, tick=False):
        assert tasks.send_organiser_messages.apply().get() == 1
        assert tasks.send_organiser_messages.apply().get() == 0  # beat ran twice
    assert sent_inapp().count() == 4
    message = OrganiserMessage.objects.get()
    assert message.sent_at == send_at and message.recipient_count == 4


def test_a_scheduled_message_called_off_is_never_sent(event_with_four):
    _, event = event_with_four
    now = timezone.now()
    services.registrants_message(event=event, statuses=[S.CONFIRMED], text=TEXT, send_at=now + timedelta(hours=1))
    services.organiser_message_cancel(message=OrganiserMessage.objects.get())
    assert services.organiser_messages_send_due(now=now + timedelta(hours=2)) == 0
    assert not sent_inapp().exists()
    with pytest.raises(ValidationError):
        services.organiser_message_cancel(message=OrganiserMessage.objects.get())
