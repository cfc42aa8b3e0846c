"""What a registration does while it holds its event's row lock, the queue at an opening rush
(docs/performance.md, "The registration rush"): only the count and the two INSERTs. Everything
else — checks, the registrant's notification preferences, the confirmation's text — runs before."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from events import services
from events.models import Registration
from notifications.models import Message

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

S = Registration.Status


def under_the_lock(queries) -> list[str]:
    """The statements from the event's FOR NO KEY UPDATE to the end of the registration's transaction."""
    sqls = [q["sql"] for q in queries]
    start = next(i for i, sql in enumerate(sqls) if re.search(r"FOR NO KEY UPDATE", sql))
    return [sql for sql in sqls[start + 1:] if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


@pytest.mark.parametrize("places_before, status", [(0, S.CONFIRMED), (1, S.WAITLISTED)])
def test_under_the_lock_only_the_count_and_two_inserts(places_before, status):
    event = EventFactory(capacity=1, waitlist_limit=5)
    if places_before:
        RegistrationFactory(event=event, status=S.CONFIRMED, user=make_user("first@example.com"))
    user = make_user("locked@example.com")
    with CaptureQueriesContext(connection) as queries:
        registration = services.registration_create(event=event, user=user, consent=True, provision_consent=True)
    assert registration.status == status
    locked = under_the_lock(queries.captured_queries)
    assert len(locked) == 3, locked
    assert "SUM(" in locked[0] and locked[0].startswith("SELECT")
    assert locked[1].startswith('INSERT INTO "events_registration"')
    assert locked[2].startswith('INSERT INTO "notifications_message"')
    # The messages are the usual ones, keyed by the registration.
    kinds = set(Message.objects.filter(recipient=user).values_list("kind", "idempotency_key"))
    kind = "events.registration_confirmed" if status == S.CONFIRMED else "events.registration_waitlisted"
    assert (kind, f"events.registered:{registration.pk}:inapp") in kinds


def test_a_full_event_is_refused_without_waiting_for_the_lock():
    event = EventFactory(capacity=1, waitlist_limit=1)
    RegistrationFactory(event=event, status=S.CONFIRMED, user=make_user("a@example.com"))
    RegistrationFactory(event=event, status=S.WAITLISTED, user=make_user("b@example.com"))
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError, match="모두 찼습니다"):
        services.registration_create(event=event, user=make_user("late@example.com"), consent=True,
                                     provision_consent=True)
    assert not any("FOR NO KEY UPDATE" in q["sql"] or "FOR UPDATE" in q["sql"] for q in queries.captured_queries)


def test_a_place_taken_between_the_first_count_and_the_lock_waitlists_with_the_waitlist_message(monkeypatch):
    """The count read before the lock is only a guess: the locked count decides, and the message follows it."""
    event = EventFactory(capacity=1, waitlist_limit=5)
    user = make_user("second@example.com")
    other = make_user("other@example.com")
    from events.services import registrations

    real = registrations.lock_event_state

    def someone_else_first(target):
        RegistrationFactory(event=event, status=S.CONFIRMED, user=other)  # committed by another parent meanwhile
        return real(target)

    monkeypatch.setattr(registrations, "lock_event_state", someone_else_first)
    registration = services.registration_create(event=event, user=user, consent=True, provision_consent=True)
    assert registration.status == S.WAITLISTED
    assert set(Message.objects.filter(recipient=user).values_list("kind", flat=True)) == {
        "events.registration_waitlisted"}


def test_an_event_cancelled_between_the_checks_and_the_lock_is_refused(monkeypatch):
    event = EventFactory(capacity=5)
    from events.models import Event
    from events.services import registrations

    real = registrations.lock_event_state

    def cancelled_meanwhile(target):
        Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
        return real(target)

    monkeypatch.setattr(registrations, "lock_event_state", cancelled_meanwhile)
    with pytest.raises(ValidationError, match="취소된 행사"):
        services.registration_create(event=event, user=make_user("c@example.com"), consent=True,
                                     provision_consent=True)
    assert not event.registrations.exists() and not Message.objects.exists()


def test_before_the_lock_one_query_reads_the_places_and_whether_the_person_holds_one():
    """The unlocked guess and the duplicate check are the same aggregate: a parent refused as full,
    or as registered already, costs one query after the event row."""
    event = EventFactory(capacity=1, waitlist_limit=0)
    holder = make_user("holder@example.com")
    RegistrationFactory(event=event, status=S.CONFIRMED, user=holder)
    for user, code in ((holder, services.registrations.REGISTERED), (make_user("late@example.com"),
                                                                      services.registrations.FULL)):
        with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as refused:
            services.registration_create(event=event, user=user, consent=True, provision_consent=True)
        assert refused.value.code == code and code in services.NOTHING_TO_CORRECT
        assert len(queries.captured_queries) == 1, [q["sql"] for q in queries.captured_queries]


def test_the_counts_written_in_sql_agree_with_the_orm_for_every_status_and_party_size():
    """places_counts and places_counts_and_holding are SQL written once (the opening's hot path):
    they must count exactly what the ORM counts from the model's own status constants."""
    from datetime import timedelta

    from django.db.models import Sum
    from django.utils import timezone

    from events.services._shared import places_counts, places_counts_and_holding

    event = EventFactory(capacity=50, waitlist_limit=50)
    other_event = EventFactory(capacity=50)
    parties = {S.CONFIRMED: 3, S.OFFERED: 2, S.ATTENDED: 1, S.WAITLISTED: 4, S.CANCELLED: 5}
    people = {}
    for status, party in parties.items():
        people[status] = make_user(f"{status}@example.com")
        now = timezone.now()  # what the table's constraints ask of an offer and an attendance
        RegistrationFactory(event=event, status=status, user=people[status], party_size=party,
                            offer_expires_at=now + timedelta(hours=12) if status == S.OFFERED else None,
                            checked_in_at=now if status == S.ATTENDED else None)
    RegistrationFactory(event=other_event, status=S.CONFIRMED, user=make_user("elsewhere@example.com"),
                        party_size=7)
    orm = (event.registrations.filter(status__in=Registration.HOLDS_PLACE).aggregate(n=Sum("party_size"))["n"],
           event.registrations.filter(status=S.WAITLISTED).aggregate(n=Sum("party_size"))["n"])
    assert places_counts(event) == orm == (6, 4)
    for status, person in people.items():
        assert places_counts_and_holding(event, person) == (6, 4, status in Registration.ACTIVE)
    assert places_counts(EventFactory()) == (0, 0)  # no registration: zeros, not NULL
