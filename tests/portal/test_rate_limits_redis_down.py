"""With Redis down, sign-in and password reset still work: rate limits fail open, loudly (an error in
the log, "failing open" in /healthz), instead of answering everyone 429. A real redis-server of this
test's own on a free port is stopped — never the shared one."""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from gwangmyeong_portal import cache as portal_cache

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path, settings):
    """A redis-server for this test only, with the portal's cache pointed at it."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = _free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("own redis-server did not start")
            time.sleep(0.05)
    settings.CACHES = {**settings.CACHES,
                       "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{port}/0",
                                   "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5,
                                               "IGNORE_EXCEPTIONS": True}}}
    assert caches["default"].set("probe", 1) and caches["default"].get("probe") == 1

    def stop():
        server.terminate()
        server.wait(timeout=10)

    yield stop
    if server.poll() is None:
        server.kill()
        server.wait(timeout=10)
    portal_cache._fail_open.update(count=0, last=None, redis_failed_at=None)  # per process: leave it clean


def test_with_redis_stopped_a_citizen_and_a_clerk_sign_in_and_can_reset_a_password(
        client, citizen, clerk, password, own_redis, caplog):
    # While Redis answers, the limiter counts: five wrong passwords lock the account.
    for _ in range(5):
        client.post(reverse("account_login"), {"login": clerk.email, "password": "wrong-password"})
    response = client.post(reverse("account_login"), {"login": clerk.email, "password": password})
    assert "_auth_user_id" not in client.session

    own_redis()  # Redis goes down
    for user in (citizen, clerk):
        client.logout()
        started = time.monotonic()
        response = client.post(reverse("account_login"), {"login": user.email, "password": password})
        assert response.status_code == 302, response.status_code
        assert int(client.session["_auth_user_id"]) == user.pk
        assert time.monotonic() - started < 5  # no waiting out allauth's one-second lock per limit
    client.logout()
    response = client.post(reverse("account_reset_password"), {"email": citizen.email})
    assert response.status_code == 302 and response["Location"] == reverse("account_reset_password_done")

    assert any(r.levelname == "ERROR" and "failing open" in r.getMessage() for r in caplog.records)
    health = client.get(reverse("healthz"))
    assert health.status_code == 503
    assert health.json()["checks"]["cache"] == "down"
    assert health.json()["rate_limits"]["state"] == "failing open"
    assert health.json()["rate_limits"]["failed_open"] >= 3


def test_while_failing_open_the_limiter_does_not_wait_on_redis_for_every_key(client, citizen, password, own_redis,
                                                                              monkeypatch):
    own_redis()
    client.post(reverse("account_login"), {"login": citizen.email, "password": password})  # asks Redis: down
    client.logout()
    asked = []
    backend = caches["default"]
    for name in ("add", "get", "set", "delete"):
        original = getattr(backend.client, name)

        def counting(key, *args, _original=original, **kwargs):
            asked.append(key)
            return _original(key, *args, **kwargs)

        monkeypatch.setattr(backend.client, name, counting)
    response = client.post(reverse("account_login"), {"login": citizen.email, "password": password})
    assert response.status_code == 302
    # An unreachable Redis costs a socket timeout per question: within the skip window the limiter asks none.
    assert not [key for key in asked if str(key).startswith("allauth:rl:")], asked
    monkeypatch.setattr(portal_cache, "SKIP_SECONDS", 0)  # the window has passed: Redis is asked again
    client.logout()
    client.post(reverse("account_login"), {"login": citizen.email, "password": password})
    assert [key for key in asked if str(key).startswith("allauth:rl:")]
