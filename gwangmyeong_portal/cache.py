"""The Redis cache, with rate limits that fail open while Redis cannot answer.

django-redis ignores a Redis outage (``IGNORE_EXCEPTIONS``): a read misses, a write is dropped, and
pages keep rendering. allauth's rate limiter, however, first takes a lock with ``cache.add`` and waits
a second for it; an ignored ``add`` reads as "somebody else holds the lock", so after that second it
refuses the request — every sign-in and password reset answered 429 while Redis was down, clerks
included. Whoever could knock Redis over locked everybody out.

Here an ``add`` of a rate-limit lock that Redis did not answer reports the lock as taken: the limiter
then reads an empty history, allows the request and its write is dropped — the limits are off (fail
open) until Redis is back. It is logged as an error every time and shown by /healthz
(``rate_limit_figures``). Any other ``add`` keeps django-redis's answer. For ``SKIP_SECONDS`` after
such a failure the rate-limit keys do not go to Redis at all: an unreachable (not refusing) Redis
would otherwise cost a socket timeout per lock, read, write and release — seconds per sign-in.
"""

from __future__ import annotations

import logging
import threading
import time

# django-prometheus's subclass of django-redis's cache: the same client, plus hit/miss counters on /metrics.
from django_prometheus.cache.backends.redis import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger("gwangmyeong_portal.rate_limits")

RATE_LIMIT_PREFIX = "allauth:rl:"  # allauth.core.internal.ratelimit.get_cache_key
LOCK_SUFFIX = ":lock"  # allauth.core.internal.ratelimit.cache_lock
# /healthz says "failing open" while the last such request is this recent.
RECENT_SECONDS = 300
# After a rate-limit lock Redis did not answer, rate-limit keys skip Redis this long, then try again.
SKIP_SECONDS = 5

_lock = threading.Lock()
# Per process (each web worker reports its own): how many requests failed open, the last one, and when
# Redis itself last failed to answer (the skip window runs from there, so Redis is asked again after it).
_fail_open = {"count": 0, "last": None, "redis_failed_at": None}


def _is_rate_limit_key(key) -> bool:
    return isinstance(key, str) and key.startswith(RATE_LIMIT_PREFIX)


def _skipping() -> bool:
    failed_at = _fail_open["redis_failed_at"]
    return failed_at is not None and time.time() - failed_at < SKIP_SECONDS


def _is_rate_limit_lock(key) -> bool:
    return isinstance(key, str) and key.startswith(RATE_LIMIT_PREFIX) and key.endswith(LOCK_SUFFIX)


def _record_fail_open(key: str, error: Exception | None) -> None:
    """``error``: what Redis raised, or None when it was not asked (within the skip window)."""
    with _lock:
        now = time.time()
        _fail_open["count"] += 1
        _fail_open["last"] = now
        if error is not None:
            _fail_open["redis_failed_at"] = now
    logger.error("Redis did not answer (%s): rate limit %s is NOT enforced for this request (failing open) "
                 "until Redis is back", (error.__cause__ or error) if error else "down moments ago, not asked",
                 key.removesuffix(LOCK_SUFFIX))


def rate_limit_figures() -> dict:
    """For /healthz: whether rate limits failed open recently in this process, how often, and when last."""
    with _lock:
        count, last = _fail_open["count"], _fail_open["last"]
    recent = last is not None and time.time() - last < RECENT_SECONDS
    last_text = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(last)) if last else None
    return {"rate_limits": {"state": "failing open" if recent else "enforced", "failed_open": count,
                            "last_failed_open": last_text}}


class RedisCache(DjangoRedisCache):
    """django-redis's cache; an unanswered rate-limit lock counts as taken (see the module docstring)."""

    def add(self, key, *args, **kwargs):
        if not _is_rate_limit_lock(key):
            return super().add(key, *args, **kwargs)
        if _skipping():
            _record_fail_open(key, None)
            return True
        try:
            return self.client.add(key, *args, **kwargs)
        except ConnectionInterrupted as exc:
            if not self._ignore_exceptions:
                raise exc.__cause__ from None
            _record_fail_open(key, exc)
            return True

    # While failing open, the limiter's read, write and release of its own keys skip Redis too.
    def get(self, key, default=None, *args, **kwargs):
        if _is_rate_limit_key(key) and _skipping():
            return default
        return super().get(key, default, *args, **kwargs)

    def set(self, key, *args, **kwargs):
        if _is_rate_limit_key(key) and _skipping():
            return False
        return super().set(key, *args, **kwargs)

    def delete(self, key, *args, **kwargs):
        if _is_rate_limit_key(key) and _skipping():
            return False
        return super().delete(key, *args, **kwargs)
