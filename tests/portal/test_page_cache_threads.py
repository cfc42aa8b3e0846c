"""The in-process copy of hot cached values is shared by gthread workers' threads: never a KeyError.

A race test: without the lock it fails in about half the runs (KeyError between the membership check
and the read, or in the eviction); with it, never."""

import sys
import threading

import pytest

from gwangmyeong_portal import page_cache


@pytest.fixture
def tiny_local(monkeypatch):
    monkeypatch.setattr(page_cache, "LOCAL_MAX", 2)
    monkeypatch.setattr(page_cache.cache, "get", lambda key, default=None: key)  # no Redis round trip
    monkeypatch.setattr(page_cache.cache, "set", lambda *args, **kwargs: None)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    yield
    sys.setswitchinterval(interval)
    page_cache._local.clear()


def test_threads_reading_and_evicting_the_local_copies_never_fail(tiny_local):
    errors = []

    def hammer(offset):
        try:
            for n in range(3000):
                key = f"k{(n + offset) % 5}"
                assert page_cache.get_or_set(key, lambda: "built", local=True) in (key, "built")
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(repr(exc))

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
