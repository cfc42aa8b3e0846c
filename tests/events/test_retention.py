"""Retention of event records: registrations (with answers and feedback) go REGISTRATION_RETENTION_DAYS
after their event ended; programs noted at a fair booth go as long after they were noted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_user
from events import services
from events.models import Feedback, ProgramInterest, Registration
from tests.programs.factories import ProgramFactory

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
DAYS = 1096


def ended(days_ago: float, now):
    ends = now - timedelta(days=days_ago)
    return EventFactory(starts_at=ends - timedelta(hours=2), ends_at=ends)


def test_registrations_and_feedback_go_after_the_period_counted_from_the_event_end(citizen, other_citizen):
    now = timezone.now()
    old, recent = ended(DAYS + 1, now), ended(DAYS - 1, now)
    R = Registration.Status
    gone = [RegistrationFactory(event=old, user=citizen, status=R.ATTENDED, checked_in_at=old.starts_at,
                                answers={"due_month": "2025-05"}),
            RegistrationFactory(event=old, user=other_citizen, status=R.CANCELLED)]
    Feedback.objects.create(registration=gone[0], rating=5, comment="좋았어요")
    stays = RegistrationFactory(event=recent, user=citizen, status=R.ATTENDED, checked_in_at=recent.starts_at)
    Feedback.objects.create(registration=stays, rating=4, comment="유익했어요")

    assert services.registration_purge_expired(now=now, batch_size=1) == 2
    assert list(Registration.objects.values_list("pk", flat=True)) == [stays.pk]
    assert list(Feedback.objects.values_list("registration_id", flat=True)) == [stays.pk]
    assert services.registration_purge_expired(now=now) == 0  # a second run changes nothing
    assert Registration.objects.count() == 1 and Feedback.objects.count() == 1


def test_a_registration_for_an_event_long_ago_but_ending_recently_stays(citizen):
    """A weeks-long exhibition that ended yesterday: counted from the end, not the start."""
    now = timezone.now()
    event = EventFactory(starts_at=now - timedelta(days=DAYS + 30), ends_at=now - timedelta(days=1))
    RegistrationFactory(event=event, user=citizen)
    assert services.registration_purge_expired(now=now) == 0
    assert Registration.objects.filter(event=event).exists()


def test_interests_noted_at_a_fair_go_after_the_period(citizen, other_citizen):
    now = timezone.now()
    program = ProgramFactory()
    old = ProgramInterest.objects.create(user=citizen, program=program)
    recent = ProgramInterest.objects.create(user=other_citizen, program=program)
    ProgramInterest.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=DAYS + 1))
    ProgramInterest.objects.filter(pk=recent.pk).update(created_at=now - timedelta(days=DAYS - 1))
    assert services.program_interest_purge_expired(now=now) == 1
    assert services.program_interest_purge_expired(now=now) == 0
    assert list(ProgramInterest.objects.values_list("pk", flat=True)) == [recent.pk]


def test_a_shorter_period_set_by_the_operator_is_followed(settings, citizen):
    settings.REGISTRATION_RETENTION_DAYS = 400
    now = timezone.now()
    RegistrationFactory(event=ended(401, now), user=citizen)
    RegistrationFactory(event=ended(399, now), user=make_user("third@example.com"))
    assert services.registration_purge_expired(now=now) == 1


def test_the_nightly_job_is_scheduled_and_runs(settings):
    from events.tasks import purge_expired_task
    from gwangmyeong_portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["events-purge-expired"]
    assert entry["task"] == purge_expired_task.name and entry["task"] in app.tasks
    assert entry["schedule"].hour == {2}
    assert purge_expired_task.delay().get() == {"registrations_deleted": 0, "program_interests_deleted": 0}
