"""Settings of a real Celery worker started by the integration tests and the benchmark.

The test settings, with eager mode off, the broker and queue the caller chose, the durable file
sink as e-mail backend. DATABASE_URL (set by the caller) points at the caller's test database.
"""

import os
import time

import time_machine

from gwangmyeong_portal.settings.test import *  # noqa: F403

# The tests run at noon in Seoul (tests/notifications/conftest.py); the worker they start keeps the
# same clock, so a claim's age means the same to the worker and to the test's sweep.
if float(os.environ.get("NOTIFY_TEST_CLOCK_OFFSET", "0")):
    time_machine.travel(time.time() + float(os.environ["NOTIFY_TEST_CLOCK_OFFSET"]), tick=True).start()

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["NOTIFY_TEST_BROKER_URL"]
CELERY_TASK_DEFAULT_QUEUE = os.environ["NOTIFY_TEST_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("NOTIFY_TEST_VISIBILITY_TIMEOUT", "3600"))}
EMAIL_BACKEND = "tests.notifications.sink.FileSinkEmailBackend"
NOTIFY_SINK_PATH = os.environ["NOTIFY_SINK_PATH"]
NOTIFY_SINK_DELAY = float(os.environ.get("NOTIFY_SINK_DELAY", "0"))
