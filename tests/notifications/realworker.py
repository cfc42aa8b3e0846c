"""Start and stop a real `celery worker` subprocess, and point this process's Celery at its broker."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

from gwangmyeong_portal.celery import app

ROOT = Path(__file__).resolve().parents[2]
BROKER_URL = os.environ.get("NOTIFY_TEST_BROKER", "redis://127.0.0.1:6379/5")


class Worker:
    def __init__(self, *, queue: str, sink: Path, log: Path, extra_env: dict | None = None, concurrency: int = 1,
                 pool: str = "solo"):
        self.queue, self.sink, self.log = queue, sink, log
        self.extra_env = extra_env or {}
        self.concurrency, self.pool = concurrency, pool
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> Worker:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "NOTIFY_TEST_BROKER_URL": BROKER_URL,
            "NOTIFY_TEST_QUEUE": self.queue,
            "NOTIFY_SINK_PATH": str(self.sink),
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "gwangmyeong_portal", "worker", f"--pool={self.pool}",
                 f"--concurrency={self.concurrency}", "-Q", self.queue, "--loglevel=INFO", "--without-gossip",
                 "--without-mingle", "--without-heartbeat", "-n", f"{self.queue}-{time.monotonic_ns()}@%h"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log.read_text()[offset:]}")
            if " ready." in self.log.read_text()[offset:]:
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"worker did not start:\n{self.log.read_text()[offset:]}")

    def kill(self) -> None:
        """SIGKILL: the worker gets no chance to finish or acknowledge anything."""
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def _reset_producers() -> None:
    app._pool = None
    for cached in ("queues", "router", "default_queue"):
        app.amqp.__dict__.pop(cached, None)
    app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_sends_to(queue: str):
    """Make this process enqueue to the real broker and the given queue, not run tasks eagerly."""
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}
    app.conf.update(task_always_eager=False, broker_url=BROKER_URL, task_default_queue=queue)
    _reset_producers()
    try:
        yield
    finally:
        app.conf.update(saved)
        _reset_producers()
        import redis

        redis.Redis.from_url(BROKER_URL).delete(queue)
