"""The Redis cache, with rate limits that fail open while Redis cannot answer.

django-redis ignores a Redis outage (``IGNORE_EXCEPTIONS``): a read misses, a write is dropped, and
pages keep rendering. allauth's rate limiter, however, first takes a lock with ``cache.add`` and waits
a second for it; an ignored ``add`` reads as "somebody else holds the lock", so after that second it
refuses the request — every sign-in and password reset answered 429 while Redis was down, clerks
included. Whoever could knock Redis over locked everybody out.

Here an ``add`` of a rate-limit lock that Redis did not answer reports the lock as taken: the limiter
then reads an empty history, allows the request and its write is dropped — the limits are off (fail
open) until Redis is back. It is logged as an error every time and shown by /healthz
(``rate_limit_figures``). Any other ``add`` keeps django-redis's answer.
"""

from __future__ import annotations

import logging
import threading
import time

from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger("gwangmyeong_portal.rate_limits")

RATE_LIMIT_PREFIX = "allauth:rl:"  # allauth.core.internal.ratelimit.get_cache_key
LOCK_SUFFIX = ":lock"  # allauth.core.internal.ratelimit.cache_lock
# /healthz says "failing open" while the last such request is this recent.
RECENT_SECONDS = 300

_lock = threading.Lock()
_fail_open = {"count": 0, "last": None}  # per process: each web worker reports its own


def _is_rate_limit_lock(key) -> bool:
    return isinstance(key, str) and key.startswith(RATE_LIMIT_PREFIX) and key.endswith(LOCK_SUFFIX)


def _record_fail_open(key: str, error: Exception) -> None:
    with _lock:
        _fail_open["count"] += 1
        _fail_open["last"] = time.time()
    logger.error("Redis did not answer (%s): rate limit %s is NOT enforced for this request (failing open) "
                 "until Redis is back", error.__cause__ or error, key.removesuffix(LOCK_SUFFIX))


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
        try:
            return self.client.add(key, *args, **kwargs)
        except ConnectionInterrupted as exc:
            if not self._ignore_exceptions:
                raise exc.__cause__ from None
            _record_fail_open(key, exc)
            return True
