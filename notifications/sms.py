"""Sending text messages: a backend interface, a logging backend (default) and an HTTP provider.

Choose the backend with ``SMS_BACKEND`` (a dotted path). ``HttpSmsBackend`` speaks a generic
JSON-over-HTTP API: ``POST SMS_API_URL`` with ``{"from", "to", "text", "reference"}`` and the key
in the ``X-Api-Key`` header. Errors are sorted for the delivery task: ``TransientSmsError``
(timeouts, connection errors, 5xx, 429 — retried with backoff) and ``PermanentSmsError`` (other
4xx — the message is marked failed with the provider's answer).
"""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    pass


class TransientSmsError(SmsError):
    """Worth trying again later."""


class PermanentSmsError(SmsError):
    """Trying again will not help (bad number, rejected request, bad key)."""


class BaseSmsBackend:
    def send(self, to: str, text: str, *, reference: str = "") -> None:
        """Send ``text`` to the phone number ``to``. ``reference`` is the message's idempotency key,
        passed to providers that deduplicate on it. Raise Transient/PermanentSmsError on failure."""
        raise NotImplementedError


def masked(phone: str) -> str:
    """A phone number as logs may show it: the last four digits only ("***-5678")."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"***-{digits[-4:]}" if len(digits) >= 4 else "***"


class LoggingSmsBackend(BaseSmsBackend):
    """Development and tests: writes the message to the log instead of sending it (the number
    masked). Production refuses it: texts are personal data and logs are not the place for them."""

    def send(self, to: str, text: str, *, reference: str = "") -> None:
        logger.info("SMS to %s (%s): %s", masked(to), reference, text)


class DisabledSmsBackend(BaseSmsBackend):
    """Production's default until a provider is configured: every text fails at once with a reason
    staff can read in the delivery log; in-app and e-mail copies are unaffected."""

    def send(self, to: str, text: str, *, reference: str = "") -> None:
        raise PermanentSmsError("SMS is not set up on this server (SMS_BACKEND)")


class HttpSmsBackend(BaseSmsBackend):
    timeout = (3.05, 10)  # connect, read (seconds)

    def __init__(self, *, url: str | None = None, api_key: str | None = None, sender: str | None = None,
                 session: requests.Session | None = None):
        self.url = url or settings.SMS_API_URL
        self.api_key = api_key or settings.SMS_API_KEY
        self.sender = sender or settings.SMS_SENDER
        if not (self.url and self.api_key and self.sender):
            raise ImproperlyConfigured("HttpSmsBackend needs SMS_API_URL, SMS_API_KEY and SMS_SENDER.")
        self.session = session or requests.Session()

    def send(self, to: str, text: str, *, reference: str = "") -> None:
        payload = {"from": self.sender, "to": to, "text": text, "reference": reference}
        try:
            response = self.session.post(
                self.url, json=payload, timeout=self.timeout,
                headers={"X-Api-Key": self.api_key, "Idempotency-Key": reference},
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise TransientSmsError(f"SMS provider unreachable: {type(exc).__name__}") from exc
        except requests.RequestException as exc:
            raise PermanentSmsError(f"SMS request could not be made: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientSmsError(f"SMS provider answered {response.status_code}: {response.text[:200]}")
        if response.status_code >= 400:
            raise PermanentSmsError(f"SMS provider refused ({response.status_code}): {response.text[:200]}")


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
