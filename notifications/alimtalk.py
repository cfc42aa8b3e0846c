"""카카오 알림톡 through SOLAPI: templates per kind, the text and variables of one message, and the
backends (logging for development, disabled, SOLAPI through its ``solapi`` SDK).

Provider: SOLAPI (솔라피), API v4 — ``POST /messages/v4/send-many/detail`` to send,
``GET /messages/v4/list-old?messageId=…`` to ask about one message, single-report webhooks for
receipts. Authentication is the SDK's ``Authorization: HMAC-SHA256 ApiKey=…, Date=…, salt=…,
signature=…`` header (HMAC-SHA256 of date + salt with the API secret).

A kind goes by 알림톡 only when ``ALIMTALK_TEMPLATES`` names its approved template. The text is
the kind's body template (the same words as its e-mail) with a closing line saying where to stop
these messages; the approved Kakao template is that text with ``#{variable}`` for each variable,
and the variables are the message context (the kind's ``required_context``, plus
``recipient_name``, ``link_url`` and ``settings_url``). Backends raise ``TransientAlimtalkError``
(timeouts, 5xx: retried with backoff) or ``PermanentAlimtalkError`` (the provider refused: the
message goes out as an SMS/LMS instead, see ``notifications.services.alimtalk``).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext, override

from .sms import masked

logger = logging.getLogger(__name__)

# Kakao's limit for one 알림톡 text, variables filled in.
MAX_LENGTH = 1000
# One SMS holds 90 bytes in EUC-KR (45 Korean letters); a longer text goes as LMS (2,000 bytes).
SMS_MAX_BYTES = 90
PREFERENCES_PATH = "/me/notifications/settings/"

# SOLAPI's message status codes: 2000 accepted, 3000 handed to the carrier / Kakao and waiting for
# the report, 4000 received. Every other code is final and means "not delivered" — for 알림톡 this
# covers "not a KakaoTalk user", "blocked the channel" and "template mismatch", each a 3xxx code;
# the few named here are only for the delivery log's wording.
PENDING_CODES = frozenset({"2000", "3000"})
DELIVERED_CODES = frozenset({"4000"})
KNOWN_FAILURES = {
    "3104": "not a KakaoTalk user",
    "3105": "template mismatch",
    "3106": "channel blocked by the recipient",
}


class AlimtalkError(Exception):
    pass


class TransientAlimtalkError(AlimtalkError):
    """Worth trying again later (timeout, connection error, provider 5xx)."""


class PermanentAlimtalkError(AlimtalkError):
    """The provider said no: trying the 알림톡 again will not help; send the SMS fallback."""


@dataclass(frozen=True)
class Accepted:
    """The provider took the message: its id, and its status code (2000 in SOLAPI's table)."""

    provider_message_id: str
    status_code: str


def template_for(kind_key: str) -> str:
    """The approved template id of a kind, or "" when it may not go by 알림톡."""
    return settings.ALIMTALK_TEMPLATES.get(kind_key, "")


def settings_url() -> str:
    return settings.NOTIFY_SITE_URL.rstrip("/") + PREFERENCES_PATH


def stop_line(language: str) -> str:
    """The closing line of every 알림톡 and text fallback: where to stop these messages."""
    with override(language):
        return gettext("수신 설정 변경·중단: %(url)s") % {"url": settings_url()}


def with_stop_line(text: str, language: str) -> str:
    line = stop_line(language)
    text = text.rstrip()
    return text if text.endswith(line) else f"{text}\n\n{line}"


def variables_for(context: dict) -> dict[str, str]:
    """Template variables: every plain value of the context, as text (``#{name}`` in the template)."""
    return {key: str(value) for key, value in context.items() if isinstance(value, str | int | float)}


def check_text(kind_key: str, text: str) -> None:
    """Refuse, when the message is written, what Kakao would refuse: no template, too long."""
    if not template_for(kind_key):
        raise ValueError(f"{kind_key} has no approved 알림톡 template (ALIMTALK_TEMPLATES)")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"{kind_key}: 알림톡 text is {len(text)} characters, over Kakao's {MAX_LENGTH}")


def sms_type(text: str) -> str:
    """SMS when the text fits 90 bytes in EUC-KR, else LMS."""
    return "SMS" if len(text.encode("euc-kr", errors="replace")) <= SMS_MAX_BYTES else "LMS"


def failure_reason(code: str, message: str = "") -> str:
    known = KNOWN_FAILURES.get(code)
    parts = [f"SOLAPI {code}", known or "", message]
    return " — ".join(part for part in parts if part)


class BaseAlimtalkBackend:
    def send(self, to: str, text: str, *, template_id: str, variables: dict[str, str],
             reference: str) -> Accepted:
        """Hand one 알림톡 to the provider; ``reference`` is the message's idempotency key."""
        raise NotImplementedError

    def status(self, provider_message_id: str) -> tuple[str, str]:
        """(status code, status message) of one accepted message, for the receipt poll."""
        raise NotImplementedError


class LoggingAlimtalkBackend(BaseAlimtalkBackend):
    """Development and tests: writes the 알림톡 to the log (the number masked) and reports it
    received at once. Production refuses it, as it refuses the logging SMS backend."""

    def send(self, to, text, *, template_id, variables, reference):
        logger.info("알림톡 to %s (%s, template %s): %s", masked(to), reference, template_id, text)
        return Accepted(provider_message_id="log-" + hashlib.sha256(reference.encode()).hexdigest()[:24],
                        status_code="4000")

    def status(self, provider_message_id):
        return "4000", "logged"


class DisabledAlimtalkBackend(BaseAlimtalkBackend):
    """Production's default until SOLAPI is configured: every 알림톡 is refused at once with a
    reason in the delivery log, and goes out as its SMS fallback."""

    def send(self, to, text, *, template_id, variables, reference):
        raise PermanentAlimtalkError("알림톡 is not set up on this server (ALIMTALK_BACKEND)")

    def status(self, provider_message_id):
        raise PermanentAlimtalkError("알림톡 is not set up on this server (ALIMTALK_BACKEND)")


def solapi_service():
    """The SDK's client, pointed at ``SOLAPI_API_URL`` (tests: a fake provider on loopback)."""
    from solapi import SolapiMessageService

    if not (settings.SOLAPI_API_KEY and settings.SOLAPI_API_SECRET):
        raise ImproperlyConfigured("The SOLAPI backends need SOLAPI_API_KEY and SOLAPI_API_SECRET.")
    service = SolapiMessageService(api_key=settings.SOLAPI_API_KEY, api_secret=settings.SOLAPI_API_SECRET)
    service.base_url = settings.SOLAPI_API_URL.rstrip("/")
    return service


def _solapi_call(call):
    """Run one SDK call, sorting its errors: the SDK raises ``Exception(errorCode, errorMessage)``
    for a 4xx answer, ``Exception("UnknownError", body)`` for a 5xx, httpx errors for the network
    (its client has a 5 s timeout), ``MessageNotReceivedError`` when nothing was accepted."""
    import httpx
    from solapi.error.MessageNotReceiveError import MessageNotReceivedError

    try:
        return call()
    except MessageNotReceivedError as exc:
        failed = exc.failed_messages[0] if exc.failed_messages else None
        if failed is None:
            raise PermanentAlimtalkError("SOLAPI accepted nothing") from exc
        raise PermanentAlimtalkError(failure_reason(failed.status_code, failed.status_message)) from exc
    except httpx.HTTPError as exc:
        raise TransientAlimtalkError(f"SOLAPI unreachable: {type(exc).__name__}") from exc
    except ImproperlyConfigured:
        raise
    except Exception as exc:  # the SDK's plain Exception for HTTP errors
        code = str(exc.args[0]) if exc.args else ""
        if code == "UnknownError" or len(exc.args) != 2:
            raise TransientAlimtalkError(f"SOLAPI error: {str(exc)[:300]}") from exc
        raise PermanentAlimtalkError(f"SOLAPI refused: {exc.args[0]} {str(exc.args[1])[:300]}") from exc


class SolapiAlimtalkBackend(BaseAlimtalkBackend):
    """SOLAPI's ATA message: ``kakaoOptions`` with the channel's ``pfId``, the template id and the
    variables; ``disableSms`` so SOLAPI does not send its own substitute text — the portal sends the
    fallback itself, as a row of its own in the delivery log, exactly once."""

    def __init__(self):
        if not (settings.SOLAPI_PF_ID and settings.SOLAPI_SENDER):
            raise ImproperlyConfigured("SolapiAlimtalkBackend needs SOLAPI_PF_ID and SOLAPI_SENDER.")

    def send(self, to, text, *, template_id, variables, reference):
        from solapi.model import KakaoOption, RequestMessage

        message = RequestMessage(
            from_=settings.SOLAPI_SENDER, to=to, text=text, type="ATA", custom_fields={"reference": reference},
            kakao_options=KakaoOption(pf_id=settings.SOLAPI_PF_ID, template_id=template_id, variables=variables,
                                      disable_sms=True),
        )
        response = _solapi_call(lambda: solapi_service().send(message))
        failed = response.failed_message_list or []
        if failed:
            raise PermanentAlimtalkError(failure_reason(failed[0].status_code, failed[0].status_message))
        accepted = (response.message_list or [None])[0]
        if accepted is None:
            raise TransientAlimtalkError("SOLAPI answered without the message")
        return Accepted(provider_message_id=accepted.message_id, status_code=accepted.status_code)

    def status(self, provider_message_id):
        from solapi.model.request.messages.get_messages import GetMessagesRequest

        response = _solapi_call(lambda: solapi_service().get_messages(
            GetMessagesRequest(message_id=provider_message_id, limit=1)))
        found = response.message_list.get(provider_message_id)
        if found is None:
            raise PermanentAlimtalkError(f"SOLAPI does not know message {provider_message_id}")
        return found.status_code or "", ""


def get_alimtalk_backend() -> BaseAlimtalkBackend:
    return import_string(settings.ALIMTALK_BACKEND)()


class SolapiSmsBackend:
    """``SMS_BACKEND`` through SOLAPI too: SMS up to 90 bytes (EUC-KR), LMS beyond. Fits the SMS
    backend interface of ``notifications.sms``."""

    def send(self, to: str, text: str, *, reference: str = "") -> None:
        from solapi.model import RequestMessage

        from .sms import PermanentSmsError, TransientSmsError

        if not settings.SOLAPI_SENDER:
            raise ImproperlyConfigured("SolapiSmsBackend needs SOLAPI_SENDER.")
        kind = sms_type(text)
        message = RequestMessage(from_=settings.SOLAPI_SENDER, to=to, text=text, type=kind,
                                 subject=str(settings.PORTAL_NAME)[:40] if kind == "LMS" else None,
                                 custom_fields={"reference": reference}, auto_type_detect=False)
        try:
            response = _solapi_call(lambda: solapi_service().send(message))
        except TransientAlimtalkError as exc:
            raise TransientSmsError(str(exc)) from exc
        except PermanentAlimtalkError as exc:
            raise PermanentSmsError(str(exc)) from exc
        if response.failed_message_list:
            failed = response.failed_message_list[0]
            raise PermanentSmsError(failure_reason(failed.status_code, failed.status_message))
