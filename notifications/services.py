"""Writing and sending notifications. Every app calls ``notify``; nothing else sends messages.

Delivery guarantee, in short: the row is written in the caller's transaction and the task is
enqueued only after it commits, so no message exists without its row and no task runs for a row
that was rolled back. ``message_deliver`` claims the row with a conditional UPDATE committed on
its own (pending/held → sending, stamped ``claimed_at``) before anything leaves the building, so
two workers never send the same row at once and a redelivered task for a sent row does nothing.
Rows whose task was lost (Redis restarted, worker killed) are found by ``message_requeue_due``,
which beat runs every minute.

Fan-out to many people (a reminder to every registrant) uses ``notify_many``: the same rows and
keys as one ``notify`` per recipient, written in bulk, and delivered by ``message_deliver_many``
in batches — one claim UPDATE and one SMTP connection per batch, each row still marked on its own.
"""

from __future__ import annotations

import hashlib
import json
import logging
import smtplib
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.utils import timezone

from gwangmyeong_portal import page_cache

from . import sms as sms_backends
from .kinds import CHANNELS, Kind, UnknownKind, get_kind
from .models import Message, NotificationPreference
from .quiet_hours import quiet_until
from .rendering import MissingContextVariable, Rendered, language_for, render_kind

logger = logging.getLogger(__name__)

NO_EMAIL = "recipient has no email address"
NO_PHONE = "recipient has no phone number"
# Message ids per delivery task of notify_many: one claim UPDATE and one SMTP connection each.
DELIVERY_BATCH = 200
# Rows per INSERT (and per look-up of existing keys) in notify_many.
INSERT_BATCH = 1000


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
    page_cache.bump_users([recipient.pk], after_commit=False)  # the header's unread count
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
    return _channels_by_preference(kind, prefs, channels)


def _channels_by_preference(kind: Kind, prefs: dict[str, bool], channels: tuple[str, ...] | None) -> list[str]:
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


def notify_many(
    *,
    recipients: Iterable,
    kind: str,
    context: dict,
    channels: Iterable[str] | None = None,
    idempotency_key: str | None = None,
    link: str = "",
) -> int:
    """``notify`` for many recipients at once; returns the number of message rows written.

    Each recipient gets exactly what ``notify(recipient=r, ...)`` would give them — the same
    channels (preferences, mandatory kinds), quiet-hours holds, in-app rows delivered in the
    caller's transaction, and the same idempotency keys: with ``idempotency_key=K`` recipient r's
    rows are keyed ``f"{K}:{r.pk}:{channel}"``, exactly as ``notify(recipient=r,
    idempotency_key=f"{K}:{r.pk}")`` would key them; without a key, as ``notify`` without one. So a
    repeated call, or a ``notify`` for one of the same people, writes nothing new and sends
    nothing twice; rows that already existed are not counted in the return value.

    Cost: one preferences query for everyone, rows inserted ``INSERT_BATCH`` at a time (with
    ``ignore_conflicts``: a concurrent identical call that committed first wins), and e-mail/SMS
    delivery enqueued after commit as ``deliver_messages`` tasks of ``DELIVERY_BATCH`` ids each.
    Raises like ``notify`` (``UnknownKind``, ``TypeError``, ``ValueError``) before writing anything.
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
        raise TypeError(f"notify_many({kind}): context must be JSON-serialisable: {exc}") from None
    people = list({recipient.pk: recipient for recipient in recipients}.values())  # each person once
    if not people:
        return 0
    if idempotency_key is None:
        digest = hashlib.sha256(f"{canonical}|{link}".encode()).hexdigest()[:40]
        keys = {person.pk: f"{kind}:{person.pk}:{digest}" for person in people}
    else:
        keys = {person.pk: f"{idempotency_key}:{person.pk}" for person in people}
    if max(len(key) for key in keys.values()) > 240:
        raise ValueError("idempotency_key is longer than 240 characters")

    prefs: dict[int, dict[str, bool]] = defaultdict(dict)
    for user_id, channel, enabled in NotificationPreference.objects.filter(
        user__in=[person.pk for person in people], kind=kind
    ).values_list("user_id", "channel", "enabled"):
        prefs[user_id][channel] = enabled
    now = timezone.now()
    held_until = quiet_until(now)
    rows = []
    for person in people:
        for channel in _channels_by_preference(kind_obj, prefs.get(person.pk, {}), channels):
            hold = channel == Message.Channel.SMS and not kind_obj.urgent and held_until is not None
            rows.append(Message(
                recipient=person, kind=kind, channel=channel, idempotency_key=f"{keys[person.pk]}:{channel}",
                context=context, link=link, status=Message.Status.HELD if hold else Message.Status.PENDING,
                not_before=held_until if hold else None,
            ))

    written = 0
    to_send: dict[datetime | None, list[int]] = defaultdict(list)  # ids by eta (held SMS: end of quiet hours)
    with transaction.atomic():  # all or nothing, and the enqueueing waits for the caller's commit
        for start in range(0, len(rows), INSERT_BATCH):
            batch = rows[start:start + INSERT_BATCH]
            existing = set(Message.objects.filter(idempotency_key__in=[row.idempotency_key for row in batch])
                           .values_list("idempotency_key", flat=True))
            new = [row for row in batch if row.idempotency_key not in existing]
            for row in new:
                if row.channel == Message.Channel.INAPP:
                    _deliver_inapp_unsaved(row, now)
            Message.objects.bulk_create(new, ignore_conflicts=True)
            page_cache.bump_users((row.recipient_id for row in new if row.channel == Message.Channel.INAPP),
                                  after_commit=False)
            written += len(new)
            outgoing = [row.idempotency_key for row in new if row.channel != Message.Channel.INAPP]
            for pk, not_before in (
                Message.objects.filter(idempotency_key__in=outgoing,
                                       status__in=[Message.Status.PENDING, Message.Status.HELD])
                .order_by("pk").values_list("pk", "not_before")
            ):
                to_send[not_before].append(pk)
        for eta, ids in to_send.items():
            for start in range(0, len(ids), DELIVERY_BATCH):
                _enqueue_many_on_commit(ids[start:start + DELIVERY_BATCH], eta)
    return written


def _enqueue_many_on_commit(message_ids: list[int], eta: datetime | None) -> None:
    # robust, one callback per batch: a broker outage loses no batch for good (the sweep finds
    # the pending rows) and does not stop the other batches from being enqueued.
    def enqueue_batch():
        _enqueue_many(message_ids, eta)

    transaction.on_commit(enqueue_batch, robust=True)


def _enqueue_many(message_ids: list[int], eta: datetime | None = None) -> None:
    from .tasks import deliver_messages

    deliver_messages.apply_async((message_ids,), eta=eta)


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
    page_cache.bump_user(message.recipient_id)


def message_mark_all_read(*, user) -> int:
    count = Message.objects.inbox().filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    page_cache.bump_user(user.pk)
    return count


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


@dataclass
class BatchOutcome:
    """What ``message_deliver_many`` did with each id it was given."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # not claimable: sent, failed, held, another worker's
    retry: list[int] = field(default_factory=list)  # transient error: back to pending, retry with backoff
    deferred: list[int] = field(default_factory=list)  # not tried before the batch's time ran out


def message_deliver_many(*, message_ids: Iterable[int], final_attempt: bool = False,
                         budget: float | None = None) -> BatchOutcome:
    """Send a batch of messages by id over one SMTP connection. Idempotent, like ``message_deliver``.

    1. Claim with one conditional UPDATE … RETURNING id, committed before sending — the same rule
       as ``message_deliver`` (pending/held and due, or "sending" with a stale claim → sending,
       ``claimed_at`` = now, attempts + 1). Only the rows it returns are ours; the rest are skipped,
       so the same ids delivered twice, or racing ``deliver_message``, send nothing twice.
    2. Render and send each claimed row, e-mail over one connection opened once (reopened after a
       transient error), and mark that row sent/failed/pending right after its own send: a crash
       repeats at most the one message in flight, as with ``message_deliver``.
    3. A transient error puts that row back to pending (its attempt counted) for a retry of just
       those ids; the others are unaffected. Once ``budget`` seconds (default: half the send time
       limit or the claim timeout, whichever is shorter) have passed, untried rows go back to
       pending uncounted and are returned as ``deferred``, so no claim outlives the claim timeout.
    """
    ids = sorted({int(pk) for pk in message_ids})
    outcome = BatchOutcome()
    if not ids:
        return outcome
    if budget is None:
        budget = min(settings.NOTIFY_SEND_TIME_LIMIT, settings.NOTIFY_CLAIM_TIMEOUT) / 2
    deadline = time.monotonic() + budget
    now = timezone.now()
    with transaction.atomic():
        claimed = set(_claim_many(ids, now))
    outcome.skipped = [pk for pk in ids if pk not in claimed]
    if not claimed:
        return outcome
    messages = list(Message.objects.select_related("recipient").filter(pk__in=claimed).order_by("pk"))
    mail = None
    try:
        for position, message in enumerate(messages):
            if time.monotonic() > deadline:
                rest = [m.pk for m in messages[position:]]
                Message.objects.filter(pk__in=rest, status=Message.Status.SENDING, claimed_at=now).update(
                    status=Message.Status.PENDING, claimed_at=None, attempts=F("attempts") - 1)
                outcome.deferred = rest
                logger.info("notification batch: out of time, %d messages deferred", len(rest))
                break
            if mail is None and message.channel == Message.Channel.EMAIL:
                mail = get_connection(fail_silently=False)
            ours = Message.objects.filter(pk=message.pk, status=Message.Status.SENDING, claimed_at=now)
            try:
                rendered = _render(message)
                _send(message, rendered, mail=mail)
            except TransientDeliveryError as exc:
                _close_quietly(mail)  # a dropped or confused connection: open a fresh one for the next
                if final_attempt or message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
                    _fail(ours, message, f"gave up after {message.attempts} attempts: {exc}")
                    outcome.failed.append(message.pk)
                    continue
                ours.update(status=Message.Status.PENDING, claimed_at=None, last_error=str(exc)[:2000])
                logger.warning("notification %s: transient error, will retry: %s", message.pk, exc)
                outcome.retry.append(message.pk)
                continue
            except PermanentDeliveryError as exc:
                _fail(ours, message, str(exc))
                outcome.failed.append(message.pk)
                continue
            except (DatabaseError, SoftTimeLimitExceeded):
                raise  # rows not marked yet stay "sending"; the sweep takes them up once the claim is stale
            except Exception as exc:  # a broken template, a bug: never a silent drop
                logger.exception("notification %s: unexpected error", message.pk)
                _fail(ours, message, f"{type(exc).__name__}: {exc}")
                outcome.failed.append(message.pk)
                continue
            ours.update(status=Message.Status.SENT, sent_at=timezone.now(), subject=rendered.subject,
                        body=rendered.body, last_error="", not_before=None)
            outcome.sent.append(message.pk)
    finally:
        _close_quietly(mail)
    return outcome


def _claim_many(ids: list[int], now: datetime) -> list[int]:
    """One conditional UPDATE … RETURNING id (PostgreSQL; SQLite ≥ 3.35 for `make run`): the ids
    are exactly the rows this call claimed — the ORM's update() only says how many."""
    stale = now - timedelta(seconds=settings.NOTIFY_CLAIM_TIMEOUT)
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(Message._meta.db_table)
    placeholders = ", ".join(["%s"] * len(ids))
    # Only the quoted table name and "%s" placeholders are formatted in; every value is a parameter.
    sql = (
        f"UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1 "  # noqa: S608
        f"WHERE id IN ({placeholders}) AND ("
        "(status IN (%s, %s) AND (not_before IS NULL OR not_before <= %s)) "
        "OR (status = %s AND claimed_at < %s)) RETURNING id"
    )
    params = [Message.Status.SENDING.value, adapt(now), *ids, Message.Status.PENDING.value,
              Message.Status.HELD.value, adapt(now), Message.Status.SENDING.value, adapt(stale)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _close_quietly(mail) -> None:
    if mail is None:
        return
    try:
        mail.close()
    except Exception:  # closing a broken connection may fail; the next send opens a new one anyway
        logger.debug("closing the mail connection failed", exc_info=True)


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


def _send(message: Message, rendered: Rendered, mail=None) -> None:
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
