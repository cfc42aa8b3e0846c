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

from .. import sms as sms_backends
from ..kinds import UnknownKind, get_kind
from ..models import Message
from ..rendering import MissingContextVariable, Rendered, language_for, render_kind

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
    try:
        parts = ("sms",) if message.channel == Message.Channel.SMS else ("subject", "body")
        return render_kind(kind, language=language_for(recipient), context=context, parts=parts)
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
