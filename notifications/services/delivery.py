"""Delivering messages by id: ``message_deliver`` (one) and ``message_deliver_many`` (a batch over
one SMTP connection) claim rows with a conditional UPDATE, send them, and mark each row."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..kinds import kept_after_sending
from ..models import Message
from .alimtalk import alimtalk_fallback
from .transport import NO_PHONE, PermanentDeliveryError, TransientDeliveryError, render, send

# One logger name for the whole package, as before the split: operators filter logs on it.
logger = logging.getLogger("notifications.services")


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
        rendered = render(message)
        send(message, rendered)
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
    kept = kept_after_sending(message.kind, context=message.context, subject=rendered.subject, body=rendered.body)
    ours.update(status=Message.Status.SENT, sent_at=timezone.now(), last_error="", not_before=None, **kept)
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
                rendered = render(message)
                send(message, rendered, mail=mail)
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
            kept = kept_after_sending(message.kind, context=message.context, subject=rendered.subject,
                                      body=rendered.body)
            ours.update(status=Message.Status.SENT, sent_at=timezone.now(), last_error="", not_before=None, **kept)
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
    if ours.update(status=Message.Status.FAILED, last_error=reason[:2000]) and \
            message.channel == Message.Channel.ALIMTALK and reason != NO_PHONE:
        # A 알림톡 given up on (the provider down past every retry, or refused): the text goes
        # instead, once — a refusal already wrote it, and the call returns that row.
        alimtalk_fallback(message=message, text=message.body, reason=reason)
    return "failed"
