"""E-mail backends that misbehave on purpose, for the delivery tests."""

import smtplib

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend


class FlakyEmailBackend(BaseEmailBackend):
    """Fails ``failures`` times with ``error``, then delivers to ``mail.outbox`` like locmem."""

    failures = 0
    error: Exception = smtplib.SMTPServerDisconnected("connection lost")
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).failures > 0:
            type(self).failures -= 1
            raise type(self).error
        mail.outbox.extend(messages)
        return len(messages)
