"""Writing and sending notifications. Every app calls ``notify``; nothing else sends messages.

Delivery guarantee, in short: the row is written in the caller's transaction and the task is
enqueued only after it commits, so no message exists without its row and no task runs for a row
that was rolled back. ``message_deliver`` claims the row with a conditional UPDATE committed on
its own (pending/held → sending, stamped ``claimed_at``) before anything leaves the building, so
two workers never send the same row at once and a redelivered task for a sent row does nothing.
Rows whose task was lost (Redis restarted, worker killed) are found by ``message_requeue_due``,
which beat runs every minute.
"""

from __future__ import annotations

import hashlib
import json
import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.utils import parseaddr

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.utils import timezone

from . import sms as sms_backends
from .kinds import CHANNELS, Kind, UnknownKind, get_kind
from .models import Message, NotificationPreference
from .quiet_hours import quiet_until
from .rendering import MissingContextVariable, Rendered, language_for, render_kind

logger = logging.getLogger(__name__)

NO_EMAIL = "recipient has no email address"
NO_PHONE = "recipient has no phone number"


class TransientDeliveryError(Exception):
    """Sending failed in a way that may pass (timeout, 5xx, 4xx SMTP reply): retry with backoff."""


class PermanentDeliveryError(Exception):
    """Sending cannot succeed as things stand (no address, missing variable, provider said no)."""


# --- Writing messages ------------------------------------------------------------------------

def notify(
    *,
    recipient,
    kind: str,
    context: dict,
    channels: Iterable[str] | None = None,
    idempotency_key: str | None = None,
    link: str = "",
) -> list[Message]:
    """Write one message row per effective channel in the caller's transaction; send after commit.

    Channels: in-app always (delivered right here, in the caller's transaction: it has no
    external side effect, so it shows exactly once, at commit); e-mail and SMS as the recipient's
    preferences say (defaulting to the kind's ``default_channels``). With ``channels`` given,
    only those are offered and preferences can still turn them off. Mandatory kinds always go
    in-app and by e-mail. Outside urgent kinds, an SMS during quiet hours is held until they end.

    Calling twice with the same ``idempotency_key`` (or, without one, the same kind, recipient,
    context and link) writes nothing new and sends nothing twice. Raises ``UnknownKind`` for an
    undeclared kind and ``TypeError`` for a context that is not JSON; a missing template variable
    or address is reported at delivery, where the row is marked failed with the reason.
    """
    kind_obj = get_kind(kind)
    if channels is not None:
        channels = tuple(channels)
        unknown = set(channels) - set(CHANNELS)
        if unknown:
            raise ValueError(f"Unknown notification channels: {sorted(unknown)}")
    try:
        canonical = json.dumps(context, sort_keys=True, ensure_ascii=False)
    except TypeError as exc:
        raise TypeError(f"notify({kind}): context must be JSON-serialisable: {exc}") from None
    if idempotency_key is None:
        digest = hashlib.sha256(f"{canonical}|{link}".encode()).hexdigest()[:40]
        idempotency_key = f"{kind}:{recipient.pk}:{digest}"
    if len(idempotency_key) > 240:
        raise ValueError("idempotency_key is longer than 240 characters")

    now = timezone.now()
    held_until = quiet_until(now)
    keys: dict[str, str] = {}
    rows = []
    for channel in _effective_channels(kind_obj, recipient, channels):
        key = f"{idempotency_key}:{channel}"
        keys[key] = channel
        hold = channel == Message.Channel.SMS and not kind_obj.urgent and held_until is not None
        rows.append(Message(
            recipient=recipient, kind=kind, channel=channel, idempotency_key=key, context=context, link=link,
            status=Message.Status.HELD if hold else Message.Status.PENDING, not_before=held_until if hold else None,
        ))
    existing = set(Message.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    for row in rows:
        if row.channel == Message.Channel.INAPP and row.idempotency_key not in existing:
            _deliver_inapp_unsaved(row, now)
    # ignore_conflicts: a concurrent identical call that committed first wins; we return its rows.
    Message.objects.bulk_create([row for row in rows if row.idempotency_key not in existing], ignore_conflicts=True)
    messages = list(Message.objects.filter(idempotency_key__in=keys).order_by("pk"))
    for message in messages:
        if message.idempotency_key not in existing and message.status in (Message.Status.PENDING,
                                                                           Message.Status.HELD):
            _enqueue_on_commit(message)
    return messages


def _deliver_inapp_unsaved(message: Message, now: datetime) -> None:
    """Nothing leaves the building for in-app: delivering is rendering the row before it is
    inserted, in the caller's transaction, so it shows in the inbox exactly when that commits."""
    message.attempts = 1
    try:
        rendered = _render(message)
    except PermanentDeliveryError as exc:
        message.status, message.last_error = Message.Status.FAILED, str(exc)[:2000]
        logger.error("notification (%s, inapp, user %s) failed: %s", message.kind, message.recipient_id, exc)
        return
    message.status, message.sent_at = Message.Status.SENT, now
    message.subject, message.body = rendered.subject, rendered.body


def _effective_channels(kind: Kind, recipient, channels: tuple[str, ...] | None) -> list[str]:
    prefs = dict(
        NotificationPreference.objects.filter(user=recipient, kind=kind.key).values_list("channel", "enabled")
    )
    result = [Message.Channel.INAPP.value]
    for channel in (Message.Channel.EMAIL.value, Message.Channel.SMS.value):
        if kind.mandatory and channel == Message.Channel.EMAIL:
            result.append(channel)
            continue
        if channels is not None and channel not in channels:
            continue
        default = channel in kind.default_channels if channels is None else True
        if prefs.get(channel, default):
            result.append(channel)
    return result


def _enqueue_on_commit(message: Message) -> None:
    # robust: a broker outage at commit time must not turn the caller's saved work into an
    # error page; the row stays pending and message_requeue_due sends it later.
    message_id, eta = message.pk, message.not_before

    def enqueue_message():
        _enqueue(message_id, eta)

    transaction.on_commit(enqueue_message, robust=True)


def _enqueue(message_id: int, eta: datetime | None = None) -> None:
    from .tasks import deliver_message

    deliver_message.apply_async((message_id,), eta=eta)


def message_resend(*, message: Message) -> bool:
    """Put a failed message back in the queue (admin action). True if it was failed."""
    reset = Message.objects.filter(pk=message.pk, status=Message.Status.FAILED).update(
        status=Message.Status.PENDING, claimed_at=None, not_before=None,
    )
    if reset:
        _enqueue_on_commit(message)
    return bool(reset)


def message_requeue_due(*, now: datetime | None = None, limit: int = 2000) -> int:
    """Enqueue every message whose task may have been lost; beat runs this every minute.

    Picks held SMS whose quiet hours have ended, pending rows older than NOTIFY_REQUEUE_AFTER
    (their task was lost with a Redis restart, or is far behind in the queue — sending it twice
    is harmless, the claim makes the second a no-op) and rows stuck in "sending" longer than
    NOTIFY_CLAIM_TIMEOUT (the worker died mid-send).
    """
    from .tasks import deliver_message

    now = now or timezone.now()
    late = now - timedelta(seconds=settings.NOTIFY_REQUEUE_AFTER)
    stale = now - timedelta(seconds=settings.NOTIFY_CLAIM_TIMEOUT)
    due = (
        Message.objects.filter(
            Q(status=Message.Status.HELD, not_before__lte=now)
            | Q(status=Message.Status.PENDING, not_before__isnull=True, created_at__lte=late)
            | Q(status=Message.Status.PENDING, not_before__lte=late)
            | Q(status=Message.Status.SENDING, claimed_at__lt=stale)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    count = 0
    for message_id in due:
        deliver_message.delay(message_id)
        count += 1
    if count:
        logger.info("requeued %d notification messages", count)
    return count


# --- Reading state -----------------------------------------------------------------------

def message_mark_read(*, message: Message) -> None:
    Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())


def message_mark_all_read(*, user) -> int:
    return Message.objects.inbox().filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def preferences_update(*, user, choices: dict[tuple[str, str], bool]) -> None:
    """Store the user's channel choices per (kind, channel). In-app and a mandatory kind's e-mail
    cannot be turned off; such entries and unknown kinds are ignored."""
    for (kind_key, channel), enabled in choices.items():
        try:
            kind = get_kind(kind_key)
        except UnknownKind:
            continue
        if channel not in ("email", "sms") or (kind.mandatory and channel == "email"):
            continue
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind_key, channel=channel, defaults={"enabled": bool(enabled)}
        )


# --- Delivering ----------------------------------------------------------------------------

def message_deliver(*, message_id: int, final_attempt: bool = False) -> str:
    """Send one message by id; returns "sent", "failed" or "skipped". Idempotent.

    1. Claim: a conditional UPDATE (pending/held and due → sending, ``claimed_at`` = now,
       attempts + 1), committed before sending. A row already sent, failed, or claimed less than
       NOTIFY_CLAIM_TIMEOUT ago by another worker is skipped — a redelivered task is a no-op.
    2. Render in the recipient's language and send.
    3. Mark sent (or failed, or back to pending for a retry) — only if our claim still stands.

    The remaining window, stated honestly: if a worker dies after the SMTP server or SMS provider
    accepted the message but before step 3 commits, the row stays "sending"; after
    NOTIFY_CLAIM_TIMEOUT the sweep sends it again. That is at-least-once for that one in-flight
    message per crash. The resend carries the same Message-ID header (e-mail) and ``reference``
    (SMS), so mail stores and providers that deduplicate on them show it once; the in-app channel
    has no external side effect and is exactly once.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFY_CLAIM_TIMEOUT)
    claimable = (
        Q(status__in=[Message.Status.PENDING, Message.Status.HELD])
        & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    ) | Q(status=Message.Status.SENDING, claimed_at__lt=stale)
    with transaction.atomic():
        claimed = Message.objects.filter(claimable, pk=message_id).update(
            status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    if not claimed:
        return "skipped"
    message = Message.objects.select_related("recipient").get(pk=message_id)
    ours = Message.objects.filter(pk=message_id, status=Message.Status.SENDING, claimed_at=now)
    try:
        rendered = _render(message)
        _send(message, rendered)
    except TransientDeliveryError as exc:
        if final_attempt or message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            return _fail(ours, message, f"gave up after {message.attempts} attempts: {exc}")
        ours.update(status=Message.Status.PENDING, claimed_at=None, last_error=str(exc)[:2000])
        logger.warning("notification %s: transient error, will retry: %s", message_id, exc)
        raise
    except PermanentDeliveryError as exc:
        return _fail(ours, message, str(exc))
    except DatabaseError:
        raise  # the row stays "sending"; the sweep takes it up once the claim is stale
    except Exception as exc:  # a broken template, a bug: never a silent drop
        logger.exception("notification %s: unexpected error", message_id)
        return _fail(ours, message, f"{type(exc).__name__}: {exc}")
    ours.update(status=Message.Status.SENT, sent_at=timezone.now(), subject=rendered.subject,
                body=rendered.body, last_error="", not_before=None)
    return "sent"


def _fail(ours, message: Message, reason: str) -> str:
    logger.error("notification %s (%s, %s, user %s) failed: %s", message.pk, message.kind, message.channel,
                 message.recipient_id, reason)
    ours.update(status=Message.Status.FAILED, last_error=reason[:2000])
    return "failed"


def _site_url(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.NOTIFY_SITE_URL.rstrip("/") + "/" + link.lstrip("/")


def _render(message: Message) -> Rendered:
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


def _send(message: Message, rendered: Rendered) -> None:
    if message.channel == Message.Channel.INAPP:
        return  # the row becoming "sent" is the delivery
    if message.channel == Message.Channel.EMAIL:
        _send_email(message, rendered)
    elif message.channel == Message.Channel.SMS:
        _send_sms(message, rendered)
    else:
        raise PermanentDeliveryError(f"unknown channel {message.channel!r}")


def _send_email(message: Message, rendered: Rendered) -> None:
    address = (message.recipient.email or "").strip()
    if not address:
        raise PermanentDeliveryError(NO_EMAIL)
    email = EmailMessage(subject=rendered.subject, body=rendered.body, to=[address],
                         headers={"Message-ID": message_id_header(message)})
    try:
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
