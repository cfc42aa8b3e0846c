"""Writing messages: ``notify`` and ``notify_many`` write the rows in the caller's transaction,
choose the channels by the recipient's preferences, and enqueue delivery after commit."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from gwangmyeong_portal import page_cache
from gwangmyeong_portal.enqueue import enqueue, enqueue_on_commit

from .. import alimtalk, quiet_hours
from ..kinds import CHANNELS, Kind, get_kind
from ..models import Message, NotificationPreference
from ..quiet_hours import quiet_until
from .transport import PermanentDeliveryError, render

# One logger name for the whole package, as before the split: operators filter logs on it.
logger = logging.getLogger("notifications.services")

# Message ids per delivery task of notify_many: one claim UPDATE and one SMTP connection each.
DELIVERY_BATCH = 200
# Rows per INSERT (and per look-up of existing keys) in notify_many.
INSERT_BATCH = 1000
# The delivery tasks, by the names Celery registers them under (notifications.tasks).
DELIVER_ONE = "notifications.tasks.deliver_message"
DELIVER_MANY = "notifications.tasks.deliver_messages"
# Channels that quiet hours hold (21:00–08:00 Seoul) unless the kind is urgent.
QUIET_CHANNELS = frozenset({"sms", "alimtalk"})


# --- Writing messages ------------------------------------------------------------------------

def notify(
    *,
    recipient,
    kind: str,
    context: dict,
    channels: Iterable[str] | None = None,
    idempotency_key: str | None = None,
    link: str = "",
    sms_useless_after: datetime | None = None,
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

    ``sms_useless_after``: when the text stops mattering (an event's start, an offer's expiry). An
    SMS that quiet hours would hold until then or later is not sent at all: its row is written as
    failed, with the reason in the delivery log; the in-app and e-mail copies go as usual.

    A caller holding a lock prepares the message before taking it and writes it inside
    (``notice_prepare`` and ``notice_write``): the same rows, with only the INSERT under the lock.
    """
    notice = notice_prepare(recipient=recipient, kind=kind, context=context, channels=channels, link=link,
                            sms_useless_after=sms_useless_after)
    if idempotency_key is None:
        idempotency_key = f"{kind}:{recipient.pk}:{notice.digest}"
    return _write(notice, idempotency_key, fresh_key=False)


@dataclass(frozen=True)
class Notice:
    """A message ready to be written (``notice_prepare``): its rows, unsaved and without keys, the
    in-app copy already rendered."""

    recipient: object
    kind: str
    digest: str
    rows: tuple[Message, ...]


def notice_prepare(
    *,
    recipient,
    kind: str,
    context: dict,
    channels: Iterable[str] | None = None,
    link: str = "",
    sms_useless_after: datetime | None = None,
) -> Notice:
    """Everything ``notify`` does before it writes — the recipient's preferences, quiet hours, the
    in-app text and the 알림톡 checks — with nothing written, so a caller can do it before taking a
    lock and hold the lock only for ``notice_write``. Raises what ``notify`` raises."""
    kind_obj, channels, digest = _checked(kind, context, channels, link, caller="notify")
    now = timezone.now()
    held_until = quiet_until(now)
    rows = []
    for channel in _effective_channels(kind_obj, recipient, channels):
        hold = channel in QUIET_CHANNELS and not kind_obj.urgent and held_until is not None
        late = quiet_hours.too_late_reason(held_until, sms_useless_after) if hold else ""
        rows.append(Message(
            recipient=recipient, kind=kind, channel=channel, context=context, link=link,
            status=Message.Status.FAILED if late else Message.Status.HELD if hold else Message.Status.PENDING,
            not_before=held_until if hold else None, last_error=late,
        ))
    _check_alimtalk(rows)
    for row in rows:
        if row.channel == Message.Channel.INAPP:
            _deliver_inapp_unsaved(row, now)
    return Notice(recipient=recipient, kind=kind, digest=digest, rows=tuple(rows))


def notice_write(notice: Notice, *, idempotency_key: str) -> list[Message]:
    """Write a prepared message in the caller's transaction: one INSERT; delivery and the header's
    unread count follow the commit. For a key that names a row made in this same transaction (a
    new registration), which no earlier call can have used: a key used before raises IntegrityError
    (use ``notify`` where a call may repeat)."""
    return _write(notice, idempotency_key, fresh_key=True)


def _write(notice: Notice, idempotency_key: str, *, fresh_key: bool) -> list[Message]:
    if len(idempotency_key) > 240:
        raise ValueError("idempotency_key is longer than 240 characters")
    rows = [copy.copy(row) for row in notice.rows]  # a Notice may be written once per key
    for row in rows:
        row.idempotency_key = f"{idempotency_key}:{row.channel}"
    recipient_id = notice.recipient.pk
    if fresh_key:
        messages = Message.objects.bulk_create(rows)  # PostgreSQL and SQLite return the new ids
        existing: set[str] = set()
        transaction.on_commit(lambda: page_cache.bump_users([recipient_id], after_commit=False))
    else:
        keys = [row.idempotency_key for row in rows]
        existing = set(Message.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
        # ignore_conflicts: a concurrent identical call that committed first wins; we return its rows.
        Message.objects.bulk_create([row for row in rows if row.idempotency_key not in existing],
                                    ignore_conflicts=True)
        page_cache.bump_users([recipient_id], after_commit=False)  # the header's unread count
        messages = list(Message.objects.filter(idempotency_key__in=keys).order_by("pk"))
    for message in messages:
        if message.idempotency_key not in existing and message.status in (Message.Status.PENDING,
                                                                           Message.Status.HELD):
            message_enqueue_on_commit(message)
    return messages


def _checked(kind: str, context: dict, channels: Iterable[str] | None, link: str, *, caller: str
             ) -> tuple[Kind, tuple[str, ...] | None, str]:
    """What ``notify`` and ``notify_many`` check before writing anything: the kind, the channels and
    a JSON context. Returns the kind, the channels as a tuple, and the digest of context and link
    that stands in for an idempotency key the caller did not give."""
    kind_obj = get_kind(kind)
    if channels is not None:
        channels = tuple(channels)
        unknown = set(channels) - set(CHANNELS)
        if unknown:
            raise ValueError(f"Unknown notification channels: {sorted(unknown)}")
    try:
        canonical = json.dumps(context, sort_keys=True, ensure_ascii=False)
    except TypeError as exc:
        raise TypeError(f"{caller}({kind}): context must be JSON-serialisable: {exc}") from None
    return kind_obj, channels, hashlib.sha256(f"{canonical}|{link}".encode()).hexdigest()[:40]


def _deliver_inapp_unsaved(message: Message, now: datetime) -> None:
    """Nothing leaves the building for in-app: delivering is rendering the row before it is
    inserted, in the caller's transaction, so it shows in the inbox exactly when that commits."""
    message.attempts = 1
    try:
        rendered = render(message)
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
    if kind.account_mail:
        return [Message.Channel.EMAIL.value]  # its links are for the mailbox only: no in-app copy
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
    return _with_alimtalk(kind, prefs, channels, result)


def _with_alimtalk(kind: Kind, prefs: dict[str, bool], channels: tuple[str, ...] | None,
                   result: list[str]) -> list[str]:
    """알림톡 first: for a kind with an approved template it goes by default wherever a text would,
    and replaces the text, which becomes its fallback (sent only if the 알림톡 is not delivered).
    Asking for 알림톡 explicitly of a kind without a template is a programming error."""
    if not alimtalk.template_for(kind.key):
        if channels is not None and Message.Channel.ALIMTALK in channels:
            raise ValueError(f"{kind.key} has no approved 알림톡 template (ALIMTALK_TEMPLATES)")
        return result
    if channels is not None and Message.Channel.ALIMTALK not in channels:
        return result
    if channels is None:
        default = any(channel in kind.default_channels for channel in ("alimtalk", "sms"))
    else:
        default = True
    if not prefs.get(Message.Channel.ALIMTALK, default):
        return result
    return [channel for channel in result if channel != Message.Channel.SMS] + [Message.Channel.ALIMTALK.value]


def _check_alimtalk(rows: list[Message]) -> None:
    """Refuse, before anything is written, a 알림톡 Kakao would refuse: over 1,000 characters once
    rendered for its recipient (``ValueError``), or a missing template variable."""
    for row in rows:
        if row.channel != Message.Channel.ALIMTALK:
            continue
        try:
            text = render(row).body
        except PermanentDeliveryError as exc:
            raise ValueError(f"{row.kind}: 알림톡 cannot be rendered: {exc}") from None
        alimtalk.check_text(row.kind, text)


def message_enqueue_on_commit(message: Message) -> None:
    """Send ``message`` once the caller's transaction commits (``gwangmyeong_portal.enqueue``)."""
    enqueue_on_commit(DELIVER_ONE, args=(message.pk,), eta=message.not_before)


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
    kind_obj, channels, digest = _checked(kind, context, channels, link, caller="notify_many")
    people = list({recipient.pk: recipient for recipient in recipients}.values())  # each person once
    if not people:
        return 0
    if idempotency_key is None:
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
            hold = channel in QUIET_CHANNELS and not kind_obj.urgent and held_until is not None
            rows.append(Message(
                recipient=person, kind=kind, channel=channel, idempotency_key=f"{keys[person.pk]}:{channel}",
                context=context, link=link, status=Message.Status.HELD if hold else Message.Status.PENDING,
                not_before=held_until if hold else None,
            ))

    _check_alimtalk(rows)
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
                messages_enqueue(ids[start:start + DELIVERY_BATCH], eta, on_commit=True)
    return written


def messages_enqueue(message_ids: list[int], eta: datetime | None = None, *, on_commit: bool = False) -> None:
    """Send one batch of message ids (``notify_many``, and a batch handing on what it had no time
    for). With ``on_commit`` it waits for the caller's commit: one callback per batch, so a broker
    outage loses no batch for good (the requeue sweep finds the pending rows) and does not stop
    the other batches from being enqueued."""
    send = enqueue_on_commit if on_commit else enqueue
    send(DELIVER_MANY, args=(message_ids,), eta=eta)
