"""With Redis down the portal keeps serving pages and keeps every message; they go out when it is back."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications.models import Message
from notifications.services import message_requeue_due
from programs.models import Application
from tests.programs.factories import ProgramFactory

DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2, "IGNORE_EXCEPTIONS": True},
    }
}


@pytest.fixture
def redis_down(settings, monkeypatch):
    """The cache points at a closed port and sending a task fails as kombu does without a broker."""
    from notifications import tasks

    settings.CACHES = {**settings.CACHES, **DEAD_REDIS}

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_message, "apply_async", broker_down)
    if hasattr(tasks, "deliver_messages"):
        monkeypatch.setattr(tasks.deliver_messages, "apply_async", broker_down)
    yield monkeypatch


@pytest.mark.django_db(transaction=True)
def test_pages_serve_and_messages_wait_while_redis_is_down(client, citizen, redis_down, mailoutbox):
    program = ProgramFactory(slug="night-care", title_ko="야간 보육")
    for url in ("/", reverse("programs:catalog"), program.get_absolute_url(), reverse("programs:finder")):
        assert client.get(url).status_code == 200, url
    # Sessions live in the database: a signed-in citizen carries on. (New sign-ins work too: rate
    # limits fail open during the outage — tests/portal/test_rate_limits_redis_down.py.)
    client.force_login(citizen)
    response = client.post(reverse("programs:apply", args=[program.slug]), {"consent": "on", "submit": "1"})
    application = Application.objects.get()
    assert response.status_code == 302 and application.status == "submitted"
    assert client.get(reverse("accounts:me")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 503

    email = Message.objects.get(kind="programs.application_submitted", channel="email")
    assert email.status == "pending" and mailoutbox == []
    # The in-app message needs no broker: it is already in the inbox.
    assert Message.objects.get(kind="programs.application_submitted", channel="inapp").status == "sent"

    # Redis is back: the beat sweep finds the waiting message and it is delivered, once.
    redis_down.undo()
    later = timezone.now() + timedelta(minutes=10)
    assert message_requeue_due(now=later) >= 1
    email.refresh_from_db()
    assert email.status == "sent"
    assert len([m for m in mailoutbox if application.reference in m.subject]) == 1
    message_requeue_due(now=later)
    assert len([m for m in mailoutbox if application.reference in m.subject]) == 1
