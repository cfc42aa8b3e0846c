"""Many people pressing "register" at once on real PostgreSQL: never more confirmed than capacity."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import User
from events import services
from events.models import Registration

from .factories import EventFactory

PEOPLE = 200
PLACES = 50


@pytest.mark.django_db(transaction=True)
def test_200_parallel_registrations_for_50_places_confirm_exactly_50_and_waitlist_the_rest():
    assert connection.vendor == "postgresql"
    event = EventFactory(capacity=PLACES, waitlist_limit=PEOPLE)
    users = User.objects.bulk_create([User(email=f"rush{i}@example.com", name=f"신청자{i}") for i in range(PEOPLE)])
    user_ids = [u.pk for u in users]

    def register(user_id):
        try:
            registration = services.registration_create(event=event, user=User.objects.get(pk=user_id), consent=True,
                                                        provision_consent=True)
            return registration.status
        except ValidationError as exc:  # pragma: no cover - would be a lost registration
            return f"refused: {exc.messages}"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(register, user_ids))

    assert results.count(Registration.Status.CONFIRMED) == PLACES
    assert results.count(Registration.Status.WAITLISTED) == PEOPLE - PLACES
    rows = Registration.objects.filter(event=event)
    assert rows.count() == PEOPLE  # none lost
    assert rows.filter(status=Registration.Status.CONFIRMED).count() == PLACES
    assert rows.filter(status=Registration.Status.WAITLISTED).count() == PEOPLE - PLACES
    assert set(rows.values_list("user_id", flat=True)) == set(user_ids)
