import pytest


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    """Run what notify() enqueues on commit right away (eager Celery, as in tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def phone_citizen(citizen):
    citizen.phone = "010-1234-5678"
    citizen.save(update_fields=["phone"])
    return citizen


@pytest.fixture
def eager_retries(monkeypatch):
    """Let an eager task retry in-process (Celery only does so when eager errors do not propagate)."""
    from gwangmyeong_portal.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


@pytest.fixture(autouse=True)
def _seoul_daytime(monkeypatch):
    """Run every notification test at noon in Seoul, outside SMS quiet hours (21:00–08:00), so a
    test that expects a text to go out does not start holding it when the suite runs at night.
    The quiet-hours tests travel to their own night-time moments inside this.

    A real worker the test starts (tests/notifications/realworker.py) is another process: it reads
    the offset from NOTIFY_TEST_CLOCK_OFFSET and keeps the same clock (worker_settings.py). With
    the real time there, a claim the worker made after noon looked newer than the test's "now" to
    the test's sweep, which never took it over: the mid-batch takeover tests failed every afternoon."""
    import time_machine
    from django.utils import timezone

    from notifications.quiet_hours import SEOUL

    real_now = timezone.now()
    noon = real_now.astimezone(SEOUL).replace(hour=12, minute=0, second=0, microsecond=0)
    monkeypatch.setenv("NOTIFY_TEST_CLOCK_OFFSET", str((noon - real_now).total_seconds()))
    with time_machine.travel(noon, tick=True):
        yield
