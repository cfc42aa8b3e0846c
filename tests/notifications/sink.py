"""A durable e-mail "provider" for tests and the benchmark with a real worker.

Each sent e-mail appends one line (its Message-ID) to NOTIFY_SINK_PATH with a single O_APPEND
write, so lines from several processes never interleave and a line written survives the worker
being killed the next instant. NOTIFY_SINK_DELAY (seconds) makes each send slow like SMTP.
"""

import os
import time

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class FileSinkEmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        delay = float(getattr(settings, "NOTIFY_SINK_DELAY", 0))
        fd = os.open(settings.NOTIFY_SINK_PATH, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            for message in messages:
                if delay:
                    time.sleep(delay)
                os.write(fd, f"{message.extra_headers['Message-ID']}\n".encode())
        finally:
            os.close(fd)
        return len(messages)


def read_sink(path) -> list[int]:
    """Message ids (``<notification-<pk>-…@…>``) in the order they were delivered."""
    try:
        with open(path) as sink:
            return [int(line.split("-")[1]) for line in sink if line.strip()]
    except FileNotFoundError:
        return []
