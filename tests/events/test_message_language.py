"""Messages about an event name it in the recipient's language: an English-speaking registrant
reads the English title, a Korean-speaking one the Korean, whatever language sent them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from conftest import make_user
from events import services
from events.models import Registration
from notifications.models import Message

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

S = Registration.Status
KO, EN = "부부 출산교실", "Childbirth class for couples"


@pytest.fixture
def english(db):
    user = make_user("english@example.com", name="Jane")
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    return user


def inbox(user, kind):
    return Message.objects.filter(recipient=user, kind=kind, channel="inapp")


def assert_english(message):
    assert EN in message.subject and EN in message.body
    assert KO not in message.subject and KO not in message.body


def test_registering_tells_an_english_reader_the_english_title(english, citizen):
    event = EventFactory(title_ko=KO, title_en=EN, capacity=1, waitlist_limit=5)
    with translation.override("ko"):  # the request's language is not the recipient's
        services.registration_create(event=event, user=english, consent=True, provision_consent=True)
        services.registration_create(event=event, user=citizen, consent=True, provision_consent=True)
    assert_english(inbox(english, "events.registration_confirmed").get())
    korean = inbox(citizen, "events.registration_waitlisted").get()
    assert KO in korean.subject and EN not in korean.subject


def test_offers_cancellations_and_organiser_messages_use_the_recipients_language(english, citizen):
    event = EventFactory(title_ko=KO, title_en=EN, capacity=1, waitlist_limit=5)
    held = services.registration_create(event=event, user=citizen, consent=True, provision_consent=True)
    services.registration_create(event=event, user=english, consent=True, provision_consent=True)
    services.registration_cancel(registration=held)
    assert_english(inbox(english, "events.offer_made").get())

    services.registrants_message(event=event, statuses=[S.OFFERED], text="주차는 지하 2층입니다.")
    assert EN in inbox(english, "events.organiser_message").get().subject

    services.event_cancel(event=event, reason="태풍")
    assert_english(inbox(english, "events.event_cancelled").get())


def test_reminders_and_feedback_requests_use_the_recipients_language(english):
    now = timezone.now()
    event = EventFactory(title_ko=KO, title_en=EN, starts_at=now + timedelta(hours=20))
    registration = RegistrationFactory(event=event, user=english)
    assert services.reminders_send(now=now) == 1
    assert_english(inbox(english, "events.reminder").get())

    Registration.objects.filter(pk=registration.pk).update(status=S.ATTENDED, checked_in_at=now)
    assert services.feedback_requests_send(now=event.ends_at + timedelta(hours=1)) == 1
    assert_english(inbox(english, "events.feedback_request").get())


def test_an_opening_program_is_named_in_english_for_an_english_reader(english):
    from programs.models import Program

    program = Program.objects.create(
        slug="later", title_ko="출산 축하금", title_en="Birth congratulation grant", summary_ko="요약",
        life_stage="pregnancy_birth", topic=Program.Topic.CLASSES, support_kind=Program.SupportKind.SERVICE,
        apply_method=Program.ApplyMethod.ONLINE, office_ko="여성가족과", office_phone="02-2680-6716",
        status=Program.Status.PUBLISHED, opens_on=timezone.localdate() + timedelta(days=30),
    )
    event = EventFactory(title_ko="출산 준비 부스")
    event.programs.set([program])
    services.program_interest_record(user=english, event=event)
    opening = datetime.combine(program.opens_on, datetime.min.time(), tzinfo=ZoneInfo("Asia/Seoul"))
    assert services.program_interests_notify_open(now=opening + timedelta(hours=9)) == 1
    message = inbox(english, "events.program_open").get()
    assert "Birth congratulation grant" in message.subject and "출산 축하금" not in message.subject


def test_a_single_events_calendar_file_is_in_the_readers_language(client):
    event = EventFactory(title_ko=KO, title_en=EN, description_ko="설명", description_en="About")
    client.cookies["django_language"] = "en"
    body = client.get(f"/events/{event.pk}/event.ics").content.decode()
    assert f"SUMMARY:{EN}" in body and "DESCRIPTION:About" in body and KO not in body
    client.cookies["django_language"] = "ko"
    assert f"SUMMARY:{KO}" in client.get(f"/events/{event.pk}/event.ics").content.decode()
