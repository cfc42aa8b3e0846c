"""/metrics: Prometheus figures for a scraper on the same host or one with the token; nobody else."""

import re
import secrets
from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.utils import timezone

from notifications.models import Message

TOKEN = "metrics-token-" + "x" * 30


def gauge(body: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", body, re.MULTILINE)
    assert match, f"{name}{labels} is not on /metrics"
    return float(match.group(1))


@pytest.mark.django_db
def test_a_scraper_on_the_same_host_reads_requests_latency_and_the_portal_gauges(client):
    client.get("/")  # one counted request first
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert 'django_http_responses_total_by_status_view_method_total{method="GET",status="200",view="home"}' in body
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in body
    assert "django_cache_get_total" in body  # cache calls, through django-prometheus's Redis backend
    assert gauge(body, "portal_celery_queue_length") >= 0
    assert gauge(body, "portal_notification_oldest_waiting_seconds", '{status="pending"}') == 0


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [
    {"REMOTE_ADDR": "203.0.113.7"},  # another host
    {"REMOTE_ADDR": "203.0.113.7", "HTTP_AUTHORIZATION": "Bearer wrong-token"},
    {"REMOTE_ADDR": "203.0.113.7", "HTTP_AUTHORIZATION": TOKEN},  # no "Bearer "
    # a public request relayed by a proxy on the same host is not a local scraper
    {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"},
])
def test_anyone_else_is_refused_and_sees_no_figure(client, settings, headers):
    settings.METRICS_TOKEN = TOKEN
    response = client.get("/metrics", **headers)
    assert response.status_code == 404
    assert b"django_http" not in response.content and b"portal_celery" not in response.content


@pytest.mark.django_db
def test_a_remote_scraper_with_the_token_reads_the_figures(client, settings):
    settings.METRICS_TOKEN = TOKEN
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert b"portal_celery_queue_length" in response.content


@pytest.mark.django_db
def test_without_a_token_configured_no_bearer_header_opens_it(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_oldest_waiting_message_age_is_reported_by_status(client, citizen):
    old = Message.objects.create(recipient=citizen, kind="test", channel="email", idempotency_key="m-1")
    held = Message.objects.create(recipient=citizen, kind="test", channel="sms", idempotency_key="m-2",
                                  status=Message.Status.HELD)
    Message.objects.create(recipient=citizen, kind="test", channel="inapp", idempotency_key="m-3",
                           status=Message.Status.SENT, sent_at=timezone.now())
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    Message.objects.filter(pk=held.pk).update(created_at=timezone.now() - timedelta(hours=2))
    body = client.get("/metrics").content.decode()
    assert 595 <= gauge(body, "portal_notification_oldest_waiting_seconds", '{status="pending"}') <= 660
    assert 7195 <= gauge(body, "portal_notification_oldest_waiting_seconds", '{status="held"}') <= 7260


@pytest.mark.django_db
def test_the_celery_queue_length_counts_tasks_waiting_in_the_broker(client, settings):
    queue = f"metrics-test-{secrets.token_hex(4)}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    try:
        broker.rpush(queue, "a", "b")
        broker.rpush(queue + "\x06\x166", "c")  # a task sent with a priority
        assert gauge(client.get("/metrics").content.decode(), "portal_celery_queue_length") == 3
    finally:
        broker.delete(queue, queue + "\x06\x166")


@pytest.mark.django_db
def test_under_gunicorn_with_a_multiprocess_folder_the_portal_gauges_are_still_there(client, tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # every worker's counters add up from here
    response = client.get("/metrics")
    assert response.status_code == 200
    body = response.content.decode()
    assert gauge(body, "portal_celery_queue_length") >= 0
    assert gauge(body, "portal_notification_oldest_waiting_seconds", '{status="held"}') == 0
