"""Leaving deletes at once; inactivity deletes after a notice; account deletion takes the registry too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import user_delete
from matchmaking import services
from matchmaking.models import ConsentRecord, Match, Pick, Profile, SessionApplication
from notifications.models import Message

from .factories import attend, make_profile, make_session

pytestmark = pytest.mark.django_db


def test_leaving_deletes_profile_contact_picks_and_consent_at_once():
    session = make_session(start_in_days=-0.2)
    a, b, c = make_profile(), make_profile(gender=Profile.Gender.MALE), make_profile(gender=Profile.Gender.MALE)
    attend(session, a, b, c)
    now = session.ends_at + timedelta(hours=1)
    services.pick_submit(session=session, picker=a, picked_ids=[b.pk, c.pk], now=now)
    services.pick_submit(session=session, picker=b, picked_ids=[a.pk], now=now)
    services.pick_submit(session=session, picker=c, picked_ids=[b.pk], now=now)
    user_id, profile_id = a.user_id, a.pk
    services.profile_leave(profile=a)
    assert not Profile.objects.filter(pk=profile_id).exists()
    assert not Pick.objects.filter(picker_id=profile_id).exists() and not Pick.objects.filter(picked_id=profile_id)
    assert not SessionApplication.objects.filter(profile_id=profile_id).exists()
    assert not ConsentRecord.objects.filter(user_id=user_id).exists()
    assert Pick.objects.filter(picker=c, picked=b).exists()  # others' picks of others are untouched
    match = Match.objects.get()
    assert {match.profile_a_id, match.profile_b_id} == {None, b.pk}


def test_the_leave_page_asks_then_deletes(client):
    profile = make_profile()
    client.force_login(profile.user)
    assert client.get("/matchmaking/leave/").status_code == 200
    client.post("/matchmaking/leave/", {})
    assert Profile.objects.filter(pk=profile.pk).exists()  # not confirmed
    response = client.post("/matchmaking/leave/", {"confirm": "on"})
    assert response.status_code == 302 and not Profile.objects.filter(pk=profile.pk).exists()


def notices(profile):
    return Message.objects.filter(recipient=profile.user, kind="matchmaking.retention_notice", channel="inapp")


def test_retention_notice_thirty_days_ahead_then_deletion(settings):
    settings.MATCHMAKING_RETENTION_DAYS = 365
    now = timezone.now()
    idle = make_profile()
    active = make_profile()
    Profile.objects.filter(pk=idle.pk).update(last_active_at=now - timedelta(days=336))
    Profile.objects.filter(pk=active.pk).update(last_active_at=now - timedelta(days=300))
    assert services.retention_run(now=now) == (1, 0)
    assert notices(idle).count() == 1 and not notices(active).exists()
    assert "삭제" in notices(idle).get().subject
    assert services.retention_run(now=now) == (0, 0)  # idempotent: no second notice
    # 29 days later the profile is past a year idle but the notice is not 30 days old yet.
    assert services.retention_run(now=now + timedelta(days=29)) == (0, 0)
    assert services.retention_run(now=now + timedelta(days=30)) == (0, 1)
    assert not Profile.objects.filter(pk=idle.pk).exists()
    assert Profile.objects.filter(pk=active.pk).exists()


def test_coming_back_after_the_notice_keeps_the_profile(settings):
    settings.MATCHMAKING_RETENTION_DAYS = 365
    now = timezone.now()
    profile = make_profile()
    Profile.objects.filter(pk=profile.pk).update(last_active_at=now - timedelta(days=340))
    services.retention_run(now=now)
    profile.refresh_from_db()
    services.profile_touch(profile=profile, now=now + timedelta(days=1))
    assert services.retention_run(now=now + timedelta(days=40)) == (0, 0)
    assert Profile.objects.filter(pk=profile.pk).exists()


def test_the_beat_job_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["matchmaking-retention"]
    assert entry["task"] == "matchmaking.tasks.retention_run_task"
    from matchmaking.tasks import retention_run_task

    assert retention_run_task.name == entry["task"]
    assert tuple(retention_run_task()) == (0, 0)


def test_account_deletion_removes_the_registry_data():
    profile = make_profile()
    user = profile.user
    user_delete(user=user)
    assert not Profile.objects.filter(pk=profile.pk).exists()
    assert not ConsentRecord.objects.filter(user_id=user.pk).exists()
