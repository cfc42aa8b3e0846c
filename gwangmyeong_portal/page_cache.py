"""Cached parts of the public pages, and their invalidation.

Every HTML page carries a per-visitor CSRF token (the language switcher posts) and per-user header
bits, so whole HTML pages are never cached. What is cached is what every anonymous visitor sees the
same: the catalog list, a program's page body, the month grid, the home page's upcoming events and
the events feed (which has no token, so it is cached whole). Each entry's key holds:

* the version of the rows it was built from ("programs" or "events"),
* the language, and today's date (open/closed badges, "today" in the grid, the feed's window),
* the normalised parameters (filters, page, month), never the raw query string.

A version is a random token kept in the cache. Saving or deleting a watched row (admin, services,
shell; ``connect_signals`` below) replaces the token, so entries built from the old rows are never
asked for again and expire after ``TIMEOUT``. It is replaced at once and again when the transaction
commits, so a page another request renders from the old rows meanwhile is not kept under the new
version. Rows written with ``bulk_create`` or ``QuerySet.update`` send no signals; code that writes
watched rows that way must call ``bump``. If Redis is down every lookup misses and pages render in full.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone, translation

TIMEOUT = 600  # seconds; bounds what stray parameters can leave in Redis
WATCHED = {
    "programs": ("programs.Program", "programs.HouseholdTag", "programs.RequiredDocument"),
    "events": ("events.Event", "partners.Agency"),
}
M2M_WATCHED = {"programs": ("programs.Program_household_tags",)}


def _version_key(kind: str) -> str:
    return f"page-version:{kind}"


def version(kind: str) -> str:
    token = cache.get(_version_key(kind))
    if token is None:
        token = secrets.token_hex(6)
        if not cache.add(_version_key(kind), token, timeout=None):
            token = cache.get(_version_key(kind)) or token
    return token


def bump(kind: str) -> None:
    """Forget every cached part built from ``kind`` rows (now, and once more after commit)."""
    forget(kind)
    transaction.on_commit(lambda: forget(kind))


def forget(kind: str) -> None:
    """Forget every cached part built from ``kind`` rows, now (no transaction involved)."""
    cache.set(_version_key(kind), secrets.token_hex(6), timeout=None)


def key(kind: str, name: str, *parts: Any) -> str:
    """The cache key of one part of a page built from ``kind`` rows with these normalised ``parts``."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return (f"page:{kind}:{name}:{version(kind)}:{translation.get_language()}:"
            f"{timezone.localdate():%Y%m%d}:{digest}")


_local: OrderedDict[str, Any] = OrderedDict()
_local_lock = threading.Lock()  # gunicorn's gthread workers serve several requests per process at once
LOCAL_MAX = 32


def get_or_set(cache_key: str | None, build: Callable[[], Any], timeout: int = TIMEOUT, *, local: bool = False) -> Any:
    """``build()``, kept under ``cache_key``; with no key (not cacheable) it is simply built.

    ``local=True`` also keeps the value in this process (a few large, hot values such as the
    events feed), saving the Redis round trip. That is safe because keys carry the rows' version:
    after a change the key itself is different."""
    if cache_key is None:
        return build()
    if local:
        with _local_lock:
            if cache_key in _local:
                _local.move_to_end(cache_key)
                return _local[cache_key]
    value = cache.get(cache_key)
    if value is None:
        value = build()
        cache.set(cache_key, value, timeout)
    if local:
        with _local_lock:
            _local[cache_key] = value
            while len(_local) > LOCAL_MAX:
                _local.popitem(last=False)
    return value


# --- One person's own pages (my page) ------------------------------------------------------------
# Rows that change what a person's my page shows, and the field naming the person. Saving or
# deleting one replaces that person's version, so their my page is rebuilt on the next visit.
USER_WATCHED = {
    "accounts.User": "pk",
    "programs.Application": "applicant_id",
    "programs.FinderProfile": "user_id",
    "events.Registration": "user_id",
    "events.ProgramInterest": "user_id",
    "matchmaking.Profile": "user_id",
}
USER_TIMEOUT = 60  # seconds: bounds staleness from writes that send no signal (QuerySet.update)


def user_version(user_id: int) -> str:
    return version(f"user:{user_id}")


def user_key(user_id: int, name: str, *parts: Any) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return (f"page:user:{user_id}:{name}:{user_version(user_id)}:{translation.get_language()}:"
            f"{timezone.localtime():%Y%m%d%H}:{digest}")


def bump_user(user_id: int | None) -> None:
    if user_id is None:
        return
    bump_users([user_id])


def bump_users(user_ids, *, after_commit: bool = True) -> None:
    """Forget what is cached for these people (one Redis round trip, now and after commit).

    ``after_commit=False`` forgets only now: a request rendering the old rows before the commit
    may then keep them for up to ``USER_TIMEOUT`` — acceptable for the unread badge."""
    keys = [_version_key(f"user:{pk}") for pk in set(user_ids) if pk is not None]
    if not keys:
        return

    def forget_all():
        if len(keys) == 1:  # one SET, not a MULTI … EXEC pipeline: most calls name one person
            cache.set(keys[0], secrets.token_hex(6), timeout=None)
        else:
            cache.set_many({key: secrets.token_hex(6) for key in keys}, timeout=None)

    forget_all()
    if after_commit:
        transaction.on_commit(forget_all)


def anonymous_page(kind: str, *also: str):
    """View decorator: a whole page for anonymous visitors, cached per path, query and language.
    A page built from more than one kind of rows names the others in ``also`` (the home page shows
    programs and events): a change to any of them refreshes it.

    An anonymous page carries nothing personal once the language switcher needs no CSRF token
    (``gwangmyeong_portal.urls``), so the HTML every anonymous visitor gets is the same. Only
    plain GETs without pending messages are served from the cache, and only 200 responses that
    set no cookie and hold no CSRF token are stored; everything else renders as usual.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not anonymous_cacheable(request):
                return view(request, *args, **kwargs)
            query = request.META.get("QUERY_STRING", "")
            cache_key = key(kind, "anonymous-page", request.path, query, *(version(other) for other in also))
            return anonymous_response(request, cache_key, lambda: view(request, *args, **kwargs),
                                      stale=stale_key(kind, "anonymous-page", request.path, query))

        return wrapped

    return decorator


def anonymous_cacheable(request) -> bool:
    """A plain GET of an anonymous visitor with no pending message: the page may come from the cache."""
    return (request.method == "GET" and not request.user.is_authenticated and "messages" not in request.COOKIES
            and len(request.META.get("QUERY_STRING", "")) <= 500)


REBUILD_SECONDS = 10  # how long one request may hold the right to rebuild a page (it releases it when done)


def stale_key(kind: str, name: str, *parts: Any) -> str:
    """Where the last page built for these ``parts`` is kept, whatever the rows' version or the day.

    After an edit every anonymous page of its kind misses at once; at a busy moment (the clerk opens
    a program at 10:00) hundreds of visitors would each build the same few pages. One request
    rebuilds a page and the others are given this last copy meanwhile (``anonymous_response``)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"page-stale:{kind}:{name}:{translation.get_language()}:{digest}"


def _cached_response(value, state: str) -> HttpResponse:
    content, content_type = value
    response = HttpResponse(content, content_type=content_type)
    response["X-Page-Cache"] = state
    return response


def anonymous_response(request, cache_key: str, render: Callable[[], HttpResponse], *,
                       stale: str | None = None) -> HttpResponse:
    """The page kept under ``cache_key``, or ``render()``'s, kept there when it is the same for every
    anonymous visitor (a 200 that sets no cookie and holds no CSRF token). For views whose key needs
    more than the path (``events.views.detail``: the head counts); ``anonymous_page`` for the rest.

    ``stale`` (``stale_key``): on a miss, only the first request rebuilds the page; while it does,
    the others get the last copy built (``X-Page-Cache: stale``), or build it too if there is none.
    The first visit after an edit is that first request, so it sees the change at once; a visitor
    arriving during those milliseconds sees the page as it was a moment before. A rebuild that is
    not kept (a 404, a page with a form) forgets the last copy, so an unpublished page stops at once."""
    cached = cache.get(cache_key)
    if cached is not None:
        return _cached_response(cached, "hit")
    building = f"{stale}:building" if stale else None
    if building and not cache.add(building, 1, REBUILD_SECONDS):
        previous = cache.get(stale)
        if previous is not None:
            return _cached_response(previous, "stale")
        building = None  # nothing to give meanwhile: this request builds it as well
    kept = False
    try:
        response = render()
        if (response.status_code == 200 and not getattr(response, "streaming", False) and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                and b"csrfmiddlewaretoken" not in response.content):
            value = (response.content, response["Content-Type"])
            cache.set_many({cache_key: value, stale: value} if stale else {cache_key: value}, TIMEOUT)
            response["X-Page-Cache"] = "miss"
            kept = True
    finally:
        if stale and not kept:  # a 404 now (unpublished meanwhile), a page with a form, a failure
            cache.delete(stale)
        if building:
            cache.delete(building)
    return response


def connect_signals() -> None:
    """Bump a kind's version whenever one of its rows is saved or deleted (invalidation only)."""
    for kind, senders in WATCHED.items():
        for sender in senders:
            handler = _bumper(kind)
            post_save.connect(handler, sender=sender, weak=False, dispatch_uid=f"page_cache:{sender}:save")
            post_delete.connect(handler, sender=sender, weak=False, dispatch_uid=f"page_cache:{sender}:delete")
    for sender, field in USER_WATCHED.items():
        handler = _user_bumper(field)
        post_save.connect(handler, sender=sender, weak=False, dispatch_uid=f"page_cache:user:{sender}:save")
        post_delete.connect(handler, sender=sender, weak=False, dispatch_uid=f"page_cache:user:{sender}:delete")
    for kind, senders in M2M_WATCHED.items():
        for sender in senders:
            m2m_changed.connect(_bumper(kind), sender=sender, weak=False, dispatch_uid=f"page_cache:{sender}:m2m")


def _user_bumper(field: str):
    def handler(sender, instance, **kwargs):
        bump_user(getattr(instance, field, None))

    return handler


def _bumper(kind: str):
    def handler(sender, **kwargs):
        bump(kind)

    return handler
