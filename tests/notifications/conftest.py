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
