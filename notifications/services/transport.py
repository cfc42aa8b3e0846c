"""Rendering one message in the recipient's language and handing it to SMTP or the SMS provider,
with the errors that tell delivery whether to retry (transient) or give up (permanent)."""

from __future__ import annotations

import hashlib
import smtplib
from email.utils import parseaddr

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMessage
from django.template import TemplateDoesNotExist
from django.utils import timezone

from .. import alimtalk as alimtalk_backends
from .. import sms as sms_backends
from ..kinds import UnknownKind, get_kind
from ..models import Message
from ..rendering import MissingContextVariable, Rendered, language_for, render_kind
from .alimtalk import alimtalk_fallback

NO_EMAIL = "recipient has no email address"
NO_PHONE = "recipient has no phone number"


class TransientDeliveryError(Exception):
    """Sending failed in a way that may pass (timeout, 5xx, 4xx SMTP reply): retry with backoff."""


class PermanentDeliveryError(Exception):
    """Sending cannot succeed as things stand (no address, missing variable, provider said no)."""


def _site_url(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.NOTIFY_SITE_URL.rstrip("/") + "/" + link.lstrip("/")


def render(message: Message) -> Rendered:
    try:
        kind = get_kind(message.kind)
    except UnknownKind as exc:
        raise PermanentDeliveryError(str(exc)) from None
    recipient = message.recipient
    context = {
        "recipient_name": recipient.name or recipient.email.split("@")[0],
        "portal_name": str(settings.PORTAL_NAME),
        "link_url": _site_url(message.link),
        **message.context,
    }
    if message.fallback_of_id and message.body:
        # The SMS/LMS standing in for an undelivered 알림톡 says the same words.
        return Rendered(subject=message.subject, body=message.body, sms=message.body)
    if message.channel == Message.Channel.ALIMTALK:
        context["settings_url"] = alimtalk_backends.settings_url()
    try:
        parts = ("sms",) if message.channel == Message.Channel.SMS else ("subject", "body")
        rendered = render_kind(kind, language=language_for(recipient), context=context, parts=parts)
        if message.channel == Message.Channel.ALIMTALK:
            text = alimtalk_backends.with_stop_line(rendered.body, language_for(recipient))
            return Rendered(subject=rendered.subject, body=text, sms=text)
        if message.channel == Message.Channel.EMAIL and not getattr(kind, "account_mail", False):
            # Every message says how to stop it (sign-up and sign-in mails cannot be stopped).
            body = alimtalk_backends.with_stop_line(rendered.body, language_for(recipient)) + "\n"
            return Rendered(subject=rendered.subject, body=body, sms=rendered.sms)
        return rendered
    except MissingContextVariable as exc:
        raise PermanentDeliveryError(f"{exc} in templates of {message.kind}") from None
    except TemplateDoesNotExist as exc:
        raise PermanentDeliveryError(f"template missing: {exc}") from None


def message_id_header(message: Message) -> str:
    """The same on every attempt, so a mail store can collapse a resend after a crash."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:24]
    return f"<notification-{message.pk}-{digest}@{domain}>"


def send(message: Message, rendered: Rendered, mail=None) -> None:
    if message.channel == Message.Channel.INAPP:
        return  # the row becoming "sent" is the delivery
    if message.channel == Message.Channel.EMAIL:
        _send_email(message, rendered, mail=mail)
    elif message.channel == Message.Channel.SMS:
        _send_sms(message, rendered)
    elif message.channel == Message.Channel.ALIMTALK:
        _send_alimtalk(message, rendered)
    else:
        raise PermanentDeliveryError(f"unknown channel {message.channel!r}")


def _send_email(message: Message, rendered: Rendered, mail=None) -> None:
    """Send one e-mail; with ``mail`` (a batch's backend connection), over it — opened here unless
    it is open, so it stays open for the next message (Django closes only what its send opened)."""
    address = (message.recipient.email or "").strip()
    if _is_account_mail(message):
        address = (message.context.get("to_address") or address).strip()
    if not address:
        raise PermanentDeliveryError(NO_EMAIL)
    email = EmailMessage(subject=rendered.subject, body=rendered.body, to=[address],
                         headers={"Message-ID": message_id_header(message)}, connection=mail)
    try:
        if mail is not None:
            mail.open()  # a no-op while open
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if codes and all(400 <= code < 500 for code in codes):
            raise TransientDeliveryError(f"recipient temporarily refused: {exc.recipients}") from exc
        raise PermanentDeliveryError(f"recipient refused: {exc.recipients}") from exc
    except smtplib.SMTPResponseException as exc:
        error = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
        if 400 <= exc.smtp_code < 500:
            raise TransientDeliveryError(error) from exc
        raise PermanentDeliveryError(error) from exc
    except (smtplib.SMTPException, OSError, SoftTimeLimitExceeded) as exc:
        raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc


def _is_account_mail(message: Message) -> bool:
    try:
        return get_kind(message.kind).account_mail
    except UnknownKind:
        return False


def _send_sms(message: Message, rendered: Rendered) -> None:
    phone = (getattr(message.recipient, "phone", "") or "").strip()
    if not phone:
        raise PermanentDeliveryError(NO_PHONE)
    try:
        sms_backends.get_sms_backend().send(phone, rendered.sms, reference=message.idempotency_key)
    except sms_backends.TransientSmsError as exc:
        raise TransientDeliveryError(str(exc)) from exc
    except sms_backends.PermanentSmsError as exc:
        raise PermanentDeliveryError(str(exc)) from exc
    except SoftTimeLimitExceeded as exc:
        raise TransientDeliveryError("SMS send timed out") from exc


def _send_alimtalk(message: Message, rendered: Rendered) -> None:
    """Hand one 알림톡 to the provider and note its id (the receipt comes later, by webhook or
    poll). Refused — no template any more, not a KakaoTalk user, a bad number — it goes out once as
    SMS/LMS instead (``alimtalk_fallback``) and this row fails with the reason."""
    phone = (getattr(message.recipient, "phone", "") or "").strip()
    if not phone:
        raise PermanentDeliveryError(NO_PHONE)
    if message.provider_message_id:
        return  # accepted before the worker died, not yet marked sent: never hand it over twice
    context = {"recipient_name": message.recipient.name or message.recipient.email.split("@")[0],
               "link_url": _site_url(message.link), "settings_url": alimtalk_backends.settings_url(),
               **message.context}
    try:
        template_id = alimtalk_backends.template_for(message.kind)
        if not template_id:
            raise alimtalk_backends.PermanentAlimtalkError(f"{message.kind} has no 알림톡 template any more")
        accepted = alimtalk_backends.get_alimtalk_backend().send(
            phone, rendered.body, template_id=template_id, variables=alimtalk_backends.variables_for(context),
            reference=message.idempotency_key)
    except alimtalk_backends.TransientAlimtalkError as exc:
        raise TransientDeliveryError(str(exc)) from exc
    except alimtalk_backends.PermanentAlimtalkError as exc:
        fallback = alimtalk_fallback(message=message, text=rendered.body, reason=str(exc))
        raise PermanentDeliveryError(f"{exc}; sent as text message instead (#{fallback.pk})") from exc
    except SoftTimeLimitExceeded as exc:
        raise TransientDeliveryError("알림톡 send timed out") from exc
    delivered = accepted.status_code in alimtalk_backends.DELIVERED_CODES
    Message.objects.filter(pk=message.pk).update(
        provider_message_id=accepted.provider_message_id, provider_status=accepted.status_code,
        receipt=Message.Receipt.DELIVERED if delivered else Message.Receipt.AWAITING,
        receipt_at=timezone.now() if delivered else None)
