"""Issue #20, items 1–5: offers never outlive their event, cannot be taken after the close or on a
cancelled or postponed event (over HTTP too), any change that frees places offers them at once, and
every change of time, place or status is told to registrants once, with old and new values."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import make_user
from events import services, tasks
from events.models import Event, Registration
from notifications.models import Message

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

S = Registration.Status


def users(n, prefix="w"):
    return [make_user(f"{prefix}{i}@example.com", name=f"대기{i}") for i in range(n)]


def inbox(user, kind):
    return Message.objects.filter(recipient=user, kind=kind, channel="inapp")


def _full_event_with_waitlist(waiting=1, **fields):
    """One confirmed holder and ``waiting`` waitlisted people; returns (event, holder reg, waitlisted regs)."""
    event = EventFactory(capacity=1, waitlist_limit=10, **fields)
    holder = RegistrationFactory(event=event, user=make_user("holder@example.com"))
    waitlisted = [RegistrationFactory(event=event, user=u, status=S.WAITLISTED) for u in users(waiting)]
    return event, holder, waitlisted


# --- 1. The hold never outlives the event --------------------------------------------------------

def test_an_offer_five_hours_before_the_start_is_held_until_the_start_not_for_24_hours():
    now = timezone.now()
    event, holder, (waiting,) = _full_event_with_waitlist(starts_at=now + timedelta(hours=5), offer_hold_hours=24)
    services.registration_cancel(registration=holder, now=now)
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED
    assert waiting.offer_expires_at == event.starts_at  # not now + 24 h (17 h after the end)
    body = inbox(waiting.user, "events.offer_made").get().body
    assert services.format_when(event.starts_at) in body


def test_the_registration_close_caps_the_offer_when_it_comes_before_the_start():
    now = timezone.now()
    event, holder, (waiting,) = _full_event_with_waitlist(
        starts_at=now + timedelta(hours=10), registration_closes_at=now + timedelta(hours=6), offer_hold_hours=24)
    services.registration_cancel(registration=holder, now=now)
    waiting.refresh_from_db()
    assert waiting.offer_expires_at == now + timedelta(hours=6)


def test_close_to_the_start_the_freed_place_is_released_instead_of_offered():
    now = timezone.now()
    event, holder, (waiting,) = _full_event_with_waitlist(starts_at=now + timedelta(minutes=40))
    services.registration_cancel(registration=holder, now=now)
    waiting.refresh_from_db()
    assert waiting.status == S.WAITLISTED and not inbox(waiting.user, "events.offer_made").exists()
    assert services.places_left(event) == 1  # a free place anyone may register for
    latecomer = services.registration_create(event=event, user=make_user("late@example.com"), consent=True,
                                             now=now + timedelta(minutes=1))
    assert latecomer.status == S.CONFIRMED


def test_an_offer_lapsing_at_the_close_is_not_passed_to_the_next_person_after_the_close():
    now = timezone.now()
    event, holder, (first, second) = _full_event_with_waitlist(
        waiting=2, starts_at=now + timedelta(hours=5), offer_hold_hours=24)
    services.registration_cancel(registration=holder, now=now)
    first.refresh_from_db()
    assert first.offer_expires_at == event.starts_at
    # The beat job at the start: the first offer lapses; nobody is offered a place that has started.
    assert tasks.expire_offers.apply().get() == 0  # not yet
    assert services.offers_expire(now=event.starts_at) == 1
    second.refresh_from_db()
    assert second.status == S.WAITLISTED and not inbox(second.user, "events.offer_made").exists()


# --- 2. No accepting after the end (or the close) ------------------------------------------------

def test_an_offer_cannot_be_accepted_after_the_event_has_ended_and_is_expired():
    event = EventFactory(capacity=1)
    # An offer from before the fix, held 17 hours past the end.
    offer = RegistrationFactory(event=event, user=make_user("o@example.com"), status=S.OFFERED,
                                offer_expires_at=event.ends_at + timedelta(hours=17))
    with pytest.raises(ValidationError, match="신청이 마감되어 빈자리를 수락할 수 없습니다"):
        services.offer_accept(registration=offer, now=event.ends_at + timedelta(hours=1))
    offer.refresh_from_db()
    assert offer.status == S.CANCELLED and offer.offer_expires_at is None
    assert inbox(offer.user, "events.offer_expired").count() == 1
    assert not inbox(offer.user, "events.registration_confirmed").exists()


def test_after_the_registration_close_accepting_is_refused():
    now = timezone.now()
    event = EventFactory(capacity=1, registration_closes_at=now + timedelta(hours=1))
    offer = RegistrationFactory(event=event, user=make_user("o@example.com"), status=S.OFFERED,
                                offer_expires_at=now + timedelta(hours=20))
    with pytest.raises(ValidationError, match="신청이 마감되어"):
        services.offer_accept(registration=offer, now=now + timedelta(hours=2))
    assert Registration.objects.get(pk=offer.pk).status == S.CANCELLED


# --- 3. Not on a cancelled or postponed event ----------------------------------------------------

def test_cancelling_an_event_ends_open_offers_and_tells_the_holder_in_the_cancellation_notice():
    event, holder, (waiting,) = _full_event_with_waitlist()
    services.registration_cancel(registration=holder)
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED
    services.event_cancel(event=event, reason="태풍 경보")
    waiting.refresh_from_db()
    assert waiting.status == S.CANCELLED and waiting.offer_expires_at is None
    notice = inbox(waiting.user, "events.event_cancelled").get()
    assert "사유: 태풍 경보" in notice.body and "빈자리 제안도 함께 끝났습니다" in notice.body
    with pytest.raises(ValidationError):
        services.offer_accept(registration=waiting)
    assert not event.registrations.filter(status=S.CONFIRMED).exclude(pk=holder.pk).exists()


def test_a_cancellation_without_a_reason_does_not_print_a_dash():
    event = EventFactory()
    registration = RegistrationFactory(event=event, user=make_user("c@example.com"))
    services.event_cancel(event=event)
    assert "사유" not in inbox(registration.user, "events.event_cancelled").get().body


@pytest.mark.parametrize("status, message", [(Event.Status.CANCELLED, "취소된 행사"),
                                             (Event.Status.POSTPONED, "연기된 행사")])
def test_over_http_an_offer_on_a_cancelled_or_postponed_event_shows_no_accept_form_and_is_refused(
        client, status, message):
    event = EventFactory(capacity=1)
    person = make_user("o@example.com")
    # The state from before the fix: an offer still open on an event that is no longer scheduled.
    offer = RegistrationFactory(event=event, user=person, status=S.OFFERED,
                                offer_expires_at=timezone.now() + timedelta(hours=5))
    Event.objects.filter(pk=event.pk).update(status=status)
    client.force_login(person)
    page = client.get(f"/events/registrations/{offer.pk}/").content.decode()
    assert f'action="/events/registrations/{offer.pk}/accept/"' not in page
    assert "빈자리 수락" not in page
    assert f'action="/events/registrations/{offer.pk}/accept/"' not in client.get("/events/my/").content.decode()
    response = client.post(f"/events/registrations/{offer.pk}/accept/", follow=True)
    text = response.content.decode()
    assert message in text and "빈자리를 수락했습니다" not in text
    offer.refresh_from_db()
    assert offer.status == S.OFFERED  # refused, nothing confirmed
    assert not inbox(person, "events.registration_confirmed").exists()


def test_over_http_an_open_offer_shows_the_accept_form_and_accepting_confirms(client):
    event, holder, (waiting,) = _full_event_with_waitlist()
    services.registration_cancel(registration=holder)
    client.force_login(waiting.user)
    page = client.get(f"/events/registrations/{waiting.pk}/").content.decode()
    assert f'action="/events/registrations/{waiting.pk}/accept/"' in page
    response = client.post(f"/events/registrations/{waiting.pk}/accept/", follow=True)
    assert "빈자리를 수락했습니다" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == S.CONFIRMED


def test_postponing_sends_open_offers_back_to_the_waitlist_and_rescheduling_offers_them_again():
    event, holder, (first, second) = _full_event_with_waitlist(waiting=2)
    services.registration_cancel(registration=holder)
    first.refresh_from_db()
    assert first.status == S.OFFERED
    services.event_postpone(event=event, reason="강사 사정")
    first.refresh_from_db()
    assert first.status == S.WAITLISTED and first.offer_expires_at is None
    notice = inbox(first.user, "events.event_changed").get()
    assert "상태: 예정 → 연기" in notice.body and "사유: 강사 사정" in notice.body
    assert "대기 순서는 그대로" in notice.body
    with pytest.raises(ValidationError, match="연기된 행사"):
        services.registration_create(event=event, user=make_user("new@example.com"), consent=True)

    new_start = event.starts_at + timedelta(days=7)
    services.event_update(event=event, values={"status": Event.Status.SCHEDULED, "starts_at": new_start,
                                               "ends_at": new_start + timedelta(hours=2)})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == S.OFFERED and second.status == S.WAITLISTED  # the queue order is kept


# --- 4. Any change that frees places offers them at once ------------------------------------------

def test_raising_capacity_offers_the_new_places_in_waitlist_order():
    event = EventFactory(capacity=3, waitlist_limit=10)
    for person in users(3, prefix="c"):
        RegistrationFactory(event=event, user=person)
    first, second, third = (RegistrationFactory(event=event, user=u, status=S.WAITLISTED) for u in users(3))
    services.event_update(event=event, values={"capacity": 5})
    statuses = [Registration.objects.get(pk=r.pk).status for r in (first, second, third)]
    assert statuses == [S.OFFERED, S.OFFERED, S.WAITLISTED]
    assert inbox(first.user, "events.offer_made").count() == 1
    # Capacity alone is not a change of time or place: nobody is sent a change notice.
    assert not Message.objects.filter(kind="events.event_changed").exists()


def test_raising_capacity_in_the_admin_promotes_the_waitlist(client, clerk):
    event = EventFactory(capacity=3, waitlist_limit=10)
    for person in users(3, prefix="c"):
        RegistrationFactory(event=event, user=person)
    waiting = [RegistrationFactory(event=event, user=u, status=S.WAITLISTED) for u in users(2)]
    client.force_login(clerk)
    data = _admin_form_data(client, event)
    data["capacity"] = "5"
    response = client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert {Registration.objects.get(pk=r.pk).status for r in waiting} == {S.OFFERED}


def test_removing_a_registration_in_the_admin_offers_its_place(client, admin_user):
    event, holder, (waiting,) = _full_event_with_waitlist()
    client.force_login(admin_user)
    response = client.post(f"/admin/events/registration/{holder.pk}/delete/",
                           {"post": "yes", "delete_reason": "같은 분이 두 번 신청했습니다"})
    assert not Registration.objects.filter(pk=holder.pk).exists()
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED


def _admin_form_data(client, event) -> dict:
    """The change form as the browser would post it, unchanged."""
    page = client.get(f"/admin/events/event/{event.pk}/change/")
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        widget = field.widget
        if hasattr(widget, "widgets") and not isinstance(value, (list, tuple)):
            for i, part in enumerate(widget.decompress(value)):
                data[f"{name}_{i}"] = "" if part is None else (part.isoformat() if hasattr(part, "isoformat")
                                                               else str(part))
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = list(value)
        elif value is None:
            data[name] = ""
        else:
            data[name] = value
    return data


# --- 5. Changes of time, place or status are told once ---------------------------------------------

def test_moving_an_event_tells_confirmed_offered_and_waitlisted_once_with_old_and_new_values():
    event = EventFactory(capacity=2, waitlist_limit=5, venue="시민회관", address="오리로 613")
    confirmed = RegistrationFactory(event=event, user=make_user("c@example.com"))
    offered = RegistrationFactory(event=event, user=make_user("o@example.com"), status=S.OFFERED,
                                  offer_expires_at=timezone.now() + timedelta(hours=3))
    waiting = RegistrationFactory(event=event, user=make_user("w@example.com"), status=S.WAITLISTED)
    gone = RegistrationFactory(event=event, user=make_user("x@example.com"), status=S.CANCELLED)
    old_start = event.starts_at
    new_start = old_start + timedelta(days=1)
    values = {"starts_at": new_start, "ends_at": new_start + timedelta(hours=2), "venue": "평생학습원"}
    services.event_update(event=event, values=values)
    services.event_update(event=event, values=values)  # saved twice: nothing new to tell
    for registration in (confirmed, offered, waiting):
        notice = inbox(registration.user, "events.event_changed").get()
        assert services.format_when(old_start) in notice.body and services.format_when(new_start) in notice.body
        assert "장소: 시민회관, 오리로 613 → 평생학습원, 오리로 613" in notice.body
    assert not inbox(gone.user, "events.event_changed").exists()
    event.refresh_from_db()
    assert event.sequence == 1


def test_changing_the_time_in_the_admin_tells_registrants(client, clerk):
    event = EventFactory()
    registration = RegistrationFactory(event=event, user=make_user("c@example.com"))
    client.force_login(clerk)
    data = _admin_form_data(client, event)
    data["venue"] = "광명동굴 앞 광장"
    assert client.post(f"/admin/events/event/{event.pk}/change/", data).status_code == 302
    assert "광명동굴 앞 광장" in inbox(registration.user, "events.event_changed").get().body


def test_reminders_follow_the_new_time():
    now = timezone.now()
    event = EventFactory(starts_at=now + timedelta(hours=20))
    registration = RegistrationFactory(event=event, user=make_user("c@example.com"))
    assert services.reminders_send(now=now) == 1
    # Moved to three days later: the day-before reminder goes again, for the new time.
    new_start = event.starts_at + timedelta(days=3)
    services.event_update(event=event, values={"starts_at": new_start, "ends_at": new_start + timedelta(hours=2)})
    assert services.reminders_send(now=now) == 0  # not yet: the new day before is days away
    with time_machine.travel(new_start - timedelta(hours=20), tick=False):
        assert tasks.send_reminders.apply().get() == 1  # the beat job, on the new day before
    reminders = inbox(registration.user, "events.reminder").order_by("pk")
    assert reminders.count() == 2
    assert services.format_when(new_start) in reminders.last().body


def test_moving_the_start_earlier_caps_open_offers_at_the_new_start():
    now = timezone.now()
    event = EventFactory(starts_at=now + timedelta(days=2))
    offer = RegistrationFactory(event=event, user=make_user("o@example.com"), status=S.OFFERED,
                                offer_expires_at=now + timedelta(hours=24))
    new_start = now + timedelta(hours=6)
    services.event_update(event=event, values={"starts_at": new_start, "ends_at": new_start + timedelta(hours=1)},
                          now=now)
    offer.refresh_from_db()
    assert offer.offer_expires_at == new_start
