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



class CountingEmailBackend(BaseEmailBackend):
    """Behaves like Django's SMTP backend about connections — ``send_messages`` opens one if none is
    open and closes what it opened — delivers to ``mail.outbox`` and counts connections opened."""

    opened = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_open = False

    def open(self):
        if self.is_open:
            return False
        self.is_open = True
        type(self).opened += 1
        return True

    def close(self):
        self.is_open = False

    def send_messages(self, messages):
        new = self.open()
        try:
            mail.outbox.extend(messages)
        finally:
            if new:
                self.close()
        return len(messages)
