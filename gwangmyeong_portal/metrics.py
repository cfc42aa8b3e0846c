"""``GET /metrics``: the portal's figures in Prometheus's text format, for operators only.

django-prometheus counts requests by view and status, latency histograms, database and cache calls
(its middleware and backends, settings/base.py); this view adds what an operator watches on an
opening morning: how many Celery tasks wait in the broker, and how old the oldest message still
waiting to be sent is (pending, or held for the SMS quiet hours).

Open only to a scraper on the same host (a loopback address and no X-Forwarded-For: a request
relayed by a proxy on the same host carries that header) or one that sends
``Authorization: Bearer <METRICS_TOKEN>``; everyone else gets a plain 404, as if nothing were here.
Under gunicorn with several workers set PROMETHEUS_MULTIPROC_DIR (an empty folder per node), so the
answer adds up every worker of the node rather than the one that happened to answer.
"""

import hmac
import ipaddress
import logging
import os

import prometheus_client
from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

# Kombu's Redis transport keeps one list per queue and priority step (the default steps 0, 3, 6, 9).
PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip().encode(), token.encode()):
        return True
    if request.headers.get("X-Forwarded-For") or request.headers.get("X-Real-IP"):
        return False  # relayed by a proxy: the real client is elsewhere
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def celery_queue_length() -> float:
    """Tasks waiting in the broker's default queue (every priority step); NaN when it does not answer."""
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith(("redis://", "rediss://", "unix://")):
        return float("nan")
    import redis

    queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
    try:
        client = redis.Redis.from_url(broker, socket_connect_timeout=1, socket_timeout=1)
        try:
            pipe = client.pipeline(transaction=False)
            for suffix in PRIORITY_SUFFIXES:
                pipe.llen(queue + suffix)
            return float(sum(pipe.execute()))
        finally:
            client.close()
    except redis.RedisError:
        return float("nan")


def oldest_waiting_messages() -> dict[str, float]:
    """Seconds since the oldest message of each waiting status was written (0 when none waits)."""
    from django.db.models import Min

    from notifications.models import Message

    now = timezone.now()
    ages = {Message.Status.PENDING.value: 0.0, Message.Status.HELD.value: 0.0}
    rows = (Message.objects.filter(status__in=list(ages)).values("status")
            .annotate(oldest=Min("created_at")).order_by())
    for row in rows:
        ages[row["status"]] = max(0.0, (now - row["oldest"]).total_seconds())
    return ages


class PortalCollector:
    """Read at scrape time: nothing is kept between scrapes, so every node answers the same."""

    def collect(self):
        queue = GaugeMetricFamily("portal_celery_queue_length", "Celery tasks waiting in the broker's default queue.")
        queue.add_metric([], celery_queue_length())
        yield queue
        oldest = GaugeMetricFamily(
            "portal_notification_oldest_waiting_seconds",
            "Age of the oldest notification message not yet sent, by status (pending, or held for quiet hours).",
            labels=["status"],
        )
        try:
            for status, age in oldest_waiting_messages().items():
                oldest.add_metric([status], age)
        except Exception:  # the database down must not hide the other figures
            logger.exception("metrics: could not read the waiting messages")
        yield oldest


@never_cache
def metrics(request):
    if not allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    portal = prometheus_client.CollectorRegistry(auto_describe=False)
    portal.register(PortalCollector())
    body = prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(portal)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
