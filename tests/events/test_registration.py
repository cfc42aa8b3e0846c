"""Registration rules: capacity, waitlist, refusals that change nothing, cancellation, offers."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from conftest import make_user
from events import services
from events.models import Event, Registration
from notifications.models import Message

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

S = Registration.Status


def users(n, prefix="u"):
    return [make_user(f"{prefix}{i}@example.com") for i in range(n)]


def test_places_are_confirmed_until_capacity_then_waitlisted_then_refused():
    event = EventFactory(capacity=2, waitlist_limit=1)
    a, b, c, d = users(4)
    assert services.registration_create(event=event, user=a, consent=True).status == S.CONFIRMED
    assert services.registration_create(event=event, user=b, consent=True).status == S.CONFIRMED
    assert services.registration_create(event=event, user=c, consent=True).status == S.WAITLISTED
    with pytest.raises(ValidationError, match="대기 인원이 모두 찼습니다"):
        services.registration_create(event=event, user=d, consent=True)
    assert event.registrations.count() == 3
    # Each registrant was told, in their inbox.
    kinds = set(Message.objects.filter(channel="inapp").values_list("kind", flat=True))
    assert kinds == {"events.registration_confirmed", "events.registration_waitlisted"}


def test_a_couple_takes_two_places(citizen, other_citizen):
    event = EventFactory(capacity=3, party_size_max=2, waitlist_limit=0)
    assert services.registration_create(event=event, user=citizen, party_size=2, consent=True).status == S.CONFIRMED
    # Two more would pass capacity and there is no waitlist.
    with pytest.raises(ValidationError, match="정원이 찼습니다"):
        services.registration_create(event=event, user=other_citizen, party_size=2, consent=True)
    assert services.places_left(event) == 1


@pytest.mark.parametrize(
    "setup, message",
    [
        (dict(status=Event.Status.CANCELLED), "취소된 행사"),
        (dict(status=Event.Status.POSTPONED), "연기된 행사"),
        (dict(registration_opens_at=timezone.now() + timedelta(days=1)), "아직 신청 기간이 아닙니다"),
        (dict(registration_closes_at=timezone.now() - timedelta(minutes=1),
              registration_opens_at=timezone.now() - timedelta(days=3)), "신청 기간이 끝났습니다"),
        (dict(registration_required=False), "신청 없이"),
    ],
    ids=["cancelled", "postponed", "not-yet-open", "closed", "no-registration"],
)
def test_refusals_give_a_clear_message_and_change_nothing(citizen, setup, message):
    event = EventFactory(**setup)
    with pytest.raises(ValidationError, match=message):
        services.registration_create(event=event, user=citizen, consent=True)
    assert not Registration.objects.exists()
    assert not Message.objects.exists()


def test_registering_twice_or_over_party_size_is_refused(citizen):
    event = EventFactory(party_size_max=2)
    with pytest.raises(ValidationError, match="2명까지"):
        services.registration_create(event=event, user=citizen, party_size=3, consent=True)
    assert not Registration.objects.exists()
    services.registration_create(event=event, user=citizen, party_size=2, consent=True)
    with pytest.raises(ValidationError, match="이미 이 행사에 신청하셨습니다"):
        services.registration_create(event=event, user=citizen, consent=True)
    assert Registration.objects.count() == 1


def test_required_questions_must_be_answered(citizen):
    event = EventFactory(questions=[{"key": "due", "label_ko": "출산 예정 월", "required": True},
                                    {"key": "note", "label_ko": "하고 싶은 말"}])
    with pytest.raises(ValidationError, match="출산 예정 월"):
        services.registration_create(event=event, user=citizen, answers={"note": "안녕하세요"}, consent=True)
    registration = services.registration_create(event=event, user=citizen, answers={"due": "2027-06", "x": "y"},
                                                consent=True)
    assert registration.answers == {"due": "2027-06", "note": ""}


def test_the_database_allows_one_active_registration_per_person(citizen):
    event = EventFactory()
    RegistrationFactory(event=event, user=citizen)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(event=event, user=citizen, status=S.WAITLISTED)
    # A cancelled one does not count: the person may register again.
    Registration.objects.update(status=S.CANCELLED)
    services.registration_create(event=event, user=citizen, consent=True)


def test_after_cancelling_one_can_register_again(citizen):
    event = EventFactory()
    registration = services.registration_create(event=event, user=citizen, consent=True)
    services.registration_cancel(registration=registration)
    again = services.registration_create(event=event, user=citizen, consent=True)
    assert again.status == S.CONFIRMED


def test_cancellation_offers_the_place_to_the_first_waitlisted_and_the_offer_passes_on():
    event = EventFactory(capacity=1, waitlist_limit=5, offer_hold_hours=12)
    holder, first, second = users(3)
    held = services.registration_create(event=event, user=holder, consent=True)
    w1 = services.registration_create(event=event, user=first, consent=True)
    w2 = services.registration_create(event=event, user=second, consent=True)
    now = timezone.now()

    services.registration_cancel(registration=held, now=now)
    w1.refresh_from_db()
    w2.refresh_from_db()
    assert w1.status == S.OFFERED and w1.offer_expires_at == now + timedelta(hours=12)
    assert w2.status == S.WAITLISTED
    assert Message.objects.filter(recipient=first, kind="events.offer_made", channel="inapp").count() == 1
    assert services.places_left(event) == 0  # the offer holds the place

    # Nobody takes it in time: the offer lapses and passes to the next person.
    assert services.offers_expire(now=now + timedelta(hours=11)) == 0
    assert services.offers_expire(now=now + timedelta(hours=12, seconds=1)) == 1
    w1.refresh_from_db()
    w2.refresh_from_db()
    assert w1.status == S.CANCELLED
    assert w2.status == S.OFFERED
    assert Message.objects.filter(recipient=first, kind="events.offer_expired", channel="inapp").count() == 1
    assert Message.objects.filter(recipient=second, kind="events.offer_made", channel="inapp").count() == 1

    # The second accepts in time and is confirmed; a late accept would be refused.
    services.offer_accept(registration=w2, now=now + timedelta(hours=13))
    w2.refresh_from_db()
    assert w2.status == S.CONFIRMED and w2.offer_expires_at is None
    assert event.registrations.filter(status__in=Registration.HOLDS_PLACE).count() == 1


def test_an_expired_offer_cannot_be_accepted():
    event = EventFactory(capacity=1, offer_hold_hours=1)
    a, b = users(2)
    held = services.registration_create(event=event, user=a, consent=True)
    waiting = services.registration_create(event=event, user=b, consent=True)
    now = timezone.now()
    services.registration_cancel(registration=held, now=now)
    with pytest.raises(ValidationError, match="기간이 지났습니다"):
        services.offer_accept(registration=waiting, now=now + timedelta(hours=2))


def test_a_party_too_large_for_the_freed_place_keeps_waiting_and_the_next_fitting_one_is_offered():
    event = EventFactory(capacity=2, party_size_max=2, waitlist_limit=10)
    a, b, couple, single = users(4)
    ra = services.registration_create(event=event, user=a, consent=True)
    services.registration_create(event=event, user=b, consent=True)
    rc = services.registration_create(event=event, user=couple, party_size=2, consent=True)
    rs = services.registration_create(event=event, user=single, consent=True)
    services.registration_cancel(registration=ra)
    rc.refresh_from_db()
    rs.refresh_from_db()
    assert rc.status == S.WAITLISTED
    assert rs.status == S.OFFERED


def test_cancelling_an_event_tells_everyone_and_is_refused_for_new_registrations(citizen, other_citizen):
    event = EventFactory(capacity=1)
    services.registration_create(event=event, user=citizen, consent=True)
    services.registration_create(event=event, user=other_citizen, consent=True)
    services.event_cancel(event=event, reason="태풍")
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED and event.sequence == 1
    assert Message.objects.filter(kind="events.event_cancelled", channel="inapp").count() == 2
    services.event_cancel(event=event)  # twice is harmless
    assert Message.objects.filter(kind="events.event_cancelled", channel="inapp").count() == 2


def test_checkin_marks_attended_once_and_refuses_the_waitlist(citizen, other_citizen):
    event = EventFactory(capacity=1)
    confirmed = services.registration_create(event=event, user=citizen, consent=True)
    waiting = services.registration_create(event=event, user=other_citizen, consent=True)
    registration, new = services.checkin_by_token(event=event, token=confirmed.token)
    assert new and registration.status == S.ATTENDED and registration.checked_in_at
    assert services.checkin(registration=confirmed) [1] is False
    with pytest.raises(ValidationError):
        services.checkin(registration=waiting)
    with pytest.raises(ValidationError):
        services.checkin_by_token(event=EventFactory(), token=confirmed.token)


def test_series_generates_weekly_occurrences_idempotently():
    from datetime import date, time

    from events.models import EventSeries

    series = EventSeries.objects.create(
        title_ko="부부 출산교실", type=Event.Type.CLASS, weekday=5, start_time=time(10, 0), duration_minutes=120,
        first_date=date(2027, 3, 1), last_date=date(2027, 3, 31), capacity=20, party_size_max=2,
        registration_required=True,
    )
    events = services.series_generate_occurrences(series=series)
    assert [timezone.localtime(e.starts_at).date() for e in events] == [
        date(2027, 3, 6), date(2027, 3, 13), date(2027, 3, 20), date(2027, 3, 27)]
    assert all(timezone.localtime(e.starts_at).hour == 10 for e in events)
    assert events[0].party_size_max == 2 and events[0].capacity == 20
    services.series_generate_occurrences(series=series)
    assert Event.objects.filter(series=series).count() == 4


def test_event_create_validates_and_stores_stages():
    start = timezone.now() + timedelta(days=3)
    event = services.event_create(title_ko="인구교육", type="lecture", starts_at=start,
                                  ends_at=start + timedelta(hours=1),
                                  life_stages=["jobs_housing", "pregnancy_birth", "bogus"])
    assert event.life_stages == "pregnancy_birth,jobs_housing"
    with pytest.raises(ValidationError):
        services.event_create(title_ko="x", starts_at=start, ends_at=start - timedelta(hours=1))
    with pytest.raises(ValidationError):
        services.event_create(title_ko="x", type="party", starts_at=start, ends_at=start)


def test_without_consent_nobody_is_registered_and_with_it_the_version_and_time_are_kept(citizen):
    from events.services.registrations import CONSENT_VERSION

    event = EventFactory()
    with pytest.raises(ValidationError, match="동의해야 신청할 수 있습니다"):
        services.registration_create(event=event, user=citizen, consent=False)
    assert not Registration.objects.exists() and not Message.objects.exists()
    now = timezone.now()
    registration = services.registration_create(event=event, user=citizen, consent=True, now=now)
    assert registration.consent_version == CONSENT_VERSION and registration.consented_at == now
