"""Retention of what people leave in the meetup registry without a profile: consents and
verification requests go MATCHMAKING_UNUSED_CONSENT_DAYS after the person's last step; anyone with a
profile, or still on their way, keeps theirs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from matchmaking import services
from matchmaking.models import ConsentRecord, Verification

from .factories import AgencyFactory, UserFactory, make_profile, verifier_for

pytestmark = pytest.mark.django_db
DAYS = 365


def consented(days_ago: float, now, user=None):
    user = user or UserFactory()
    services.consent_record(user=user, optional_consent=True, now=now - timedelta(days=days_ago))
    return user


def requested(user, agency, *, days_ago: float, now, decided_days_ago: float | None = None, verifier=None):
    verification = Verification.objects.create(user=user, agency=agency)
    fields = {"requested_at": now - timedelta(days=days_ago)}
    if decided_days_ago is not None:
        fields.update(status=Verification.Status.REJECTED, decided_by=verifier,
                      decided_at=now - timedelta(days=decided_days_ago))
    Verification.objects.filter(pk=verification.pk).update(**fields)
    return verification


def test_consents_and_requests_of_people_who_never_made_a_profile_go_after_the_period():
    now = timezone.now()
    agency = AgencyFactory()
    verifier = verifier_for(agency)
    gone = consented(DAYS + 1, now)
    requested(gone, agency, days_ago=DAYS + 1, now=now, decided_days_ago=DAYS + 1, verifier=verifier)
    # Consented long ago, but asked for verification last month: still on their way.
    on_the_way = consented(DAYS + 100, now)
    requested(on_the_way, agency, days_ago=30, now=now)
    # Asked long ago, answered within the period.
    answered = consented(DAYS + 100, now)
    requested(answered, agency, days_ago=DAYS + 50, now=now, decided_days_ago=DAYS - 1, verifier=verifier)
    # Consented just inside the period.
    recent = consented(DAYS - 1, now)
    # In the registry: the consent is the basis of their profile, whatever its age.
    profile = make_profile()
    ConsentRecord.objects.filter(user=profile.user).update(given_at=now - timedelta(days=DAYS * 3))

    assert services.consent_purge_unused(now=now, batch_size=1) == 2  # one consent, one request
    assert not ConsentRecord.objects.filter(user=gone).exists() and not Verification.objects.filter(user=gone)
    for person in (on_the_way, answered, recent, profile.user):
        assert ConsentRecord.objects.filter(user=person).exists()
    assert Verification.objects.filter(user__in=[on_the_way, answered]).count() == 2
    assert services.consent_purge_unused(now=now) == 0  # a second run changes nothing


def test_every_old_consent_of_a_person_who_never_went_on_goes():
    now = timezone.now()
    person = consented(DAYS + 1, now)
    consented(DAYS + 2, now, user=person)
    assert services.consent_purge_unused(now=now) == 2
    assert not ConsentRecord.objects.exists()


def test_the_nightly_job_is_scheduled_and_runs(settings):
    from gwangmyeong_portal.celery import app
    from matchmaking.tasks import purge_unused_consents_task

    entry = settings.CELERY_BEAT_SCHEDULE["matchmaking-purge-unused-consents"]
    assert entry["task"] == purge_unused_consents_task.name and entry["task"] in app.tasks
    assert entry["schedule"].hour == {3}
    assert purge_unused_consents_task.delay().get() == 0


def test_asking_again_after_a_refusal_is_a_new_request_that_the_job_leaves_alone():
    now = timezone.now()
    agency = AgencyFactory()
    person = consented(DAYS + 10, now)
    old = requested(person, agency, days_ago=DAYS + 10, now=now, decided_days_ago=DAYS + 5,
                    verifier=verifier_for(agency))
    services.consent_record(user=person, optional_consent=False)  # today, on the way back in
    services.verification_request(user=person, agency=agency)
    old.refresh_from_db()
    assert old.status == Verification.Status.REQUESTED and now - old.requested_at < timedelta(minutes=1)
    services.consent_purge_unused(now=now + timedelta(minutes=1))
    assert Verification.objects.filter(pk=old.pk).exists()


def test_a_request_still_waiting_for_the_agencys_answer_is_kept_however_old():
    now = timezone.now()
    agency = AgencyFactory()
    waiting = consented(DAYS + 100, now)
    request = requested(waiting, agency, days_ago=DAYS + 100, now=now)
    assert services.consent_purge_unused(now=now) == 0
    assert Verification.objects.filter(pk=request.pk, status=Verification.Status.REQUESTED).exists()
    assert ConsentRecord.objects.filter(user=waiting).exists()
