"""Retention of messages: every message (any channel, any status) goes MESSAGE_RETENTION_DAYS after
it was written; newer ones stay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import Message

pytestmark = pytest.mark.django_db
DAYS = 365


def message(user, n: int, *, days_ago: float, now, **fields) -> Message:
    row = Message.objects.create(recipient=user, kind="test.kind", channel=fields.pop("channel", "inapp"),
                                 idempotency_key=f"retention-test:{n}", subject="김시민님의 신청",
                                 body="신청 번호 GM-2025-000001", context={"name": "김시민"}, **fields)
    Message.objects.filter(pk=row.pk).update(created_at=now - timedelta(days=days_ago))
    return row


def test_messages_past_the_period_go_newer_ones_stay(citizen, other_citizen):
    now = timezone.now()
    old = [message(citizen, 1, days_ago=DAYS + 1, now=now, status="sent", sent_at=now - timedelta(days=DAYS)),
           message(citizen, 2, days_ago=DAYS + 30, now=now, channel="email", status="failed"),
           message(other_citizen, 3, days_ago=DAYS + 2, now=now, channel="sms", status="pending")]
    recent = message(citizen, 4, days_ago=DAYS - 1, now=now, status="sent", sent_at=now)

    assert services.message_purge_expired(now=now, batch_size=2) == len(old)
    assert list(Message.objects.values_list("pk", flat=True)) == [recent.pk]
    assert services.message_purge_expired(now=now) == 0  # a second run changes nothing
    assert Message.objects.count() == 1


def test_the_inbox_no_longer_shows_an_expired_message(client, citizen):
    now = timezone.now()
    message(citizen, 1, days_ago=DAYS + 1, now=now, status="sent", sent_at=now - timedelta(days=DAYS))
    client.force_login(citizen)
    assert "김시민님의 신청" in client.get("/me/notifications/").content.decode()
    services.message_purge_expired(now=now)
    assert "김시민님의 신청" not in client.get("/me/notifications/").content.decode()


def test_the_nightly_job_is_scheduled_and_runs(settings):
    from gwangmyeong_portal.celery import app
    from notifications.tasks import purge_expired_task

    entry = settings.CELERY_BEAT_SCHEDULE["notifications-purge-expired"]
    assert entry["task"] == purge_expired_task.name and entry["task"] in app.tasks
    assert entry["schedule"].hour == {2}
    assert purge_expired_task.delay().get() == 0
