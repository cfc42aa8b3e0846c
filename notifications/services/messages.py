"""Message state after writing: resending a failed row, requeueing rows whose task was lost,
marking messages read, and storing the user's channel preferences."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from gwangmyeong_portal import page_cache
from gwangmyeong_portal.enqueue import enqueue

from ..alimtalk import template_for
from ..kinds import UnknownKind, get_kind
from ..models import Message, NotificationPreference
from .sending import DELIVER_ONE, message_enqueue_on_commit

# One logger name for the whole package, as before the split: operators filter logs on it.
logger = logging.getLogger("notifications.services")


def message_resend(*, message: Message) -> bool:
    """Put a failed message back in the queue (admin action). True if it was failed."""
    reset = Message.objects.filter(pk=message.pk, status=Message.Status.FAILED).update(
        status=Message.Status.PENDING, claimed_at=None, not_before=None,
    )
    if reset:
        message_enqueue_on_commit(message)
    return bool(reset)


def message_requeue_due(*, now: datetime | None = None, limit: int = 2000) -> int:
    """Enqueue every message whose task may have been lost; beat runs this every minute.

    Picks held SMS whose quiet hours have ended, pending rows older than NOTIFY_REQUEUE_AFTER
    (their task was lost with a Redis restart, or is far behind in the queue — sending it twice
    is harmless, the claim makes the second a no-op) and rows stuck in "sending" longer than
    NOTIFY_CLAIM_TIMEOUT (the worker died mid-send).
    """
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
        enqueue(DELIVER_ONE, args=(message_id,))
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
    cannot be turned off; such entries and unknown kinds are ignored. An urgent kind keeps at least
    one of e-mail, text and 알림톡: a choice turning off the last one raises ``ValueError`` (the
    form says so first)."""
    for (kind_key, channel), enabled in choices.items():
        try:
            kind = get_kind(kind_key)
        except UnknownKind:
            continue
        if channel not in ("email", "sms", "alimtalk") or (kind.mandatory and channel == "email"):
            continue
        if kind.urgent and not enabled and not _urgent_keeps_a_channel(user, kind, choices, turning_off=channel):
            raise ValueError(f"{kind_key}: an urgent kind cannot be turned off on every channel")
    for (kind_key, channel), enabled in choices.items():
        try:
            kind = get_kind(kind_key)
        except UnknownKind:
            continue
        if channel not in ("email", "sms", "alimtalk") or (kind.mandatory and channel == "email"):
            continue
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind_key, channel=channel, defaults={"enabled": bool(enabled)}
        )


def _urgent_keeps_a_channel(user, kind, choices: dict[tuple[str, str], bool], *, turning_off: str) -> bool:
    """Whether an urgent kind still reaches the person by some channel once ``choices`` apply."""
    stored = dict(NotificationPreference.objects.filter(user=user, kind=kind.key).values_list("channel", "enabled"))
    offered = ["email", "sms"] + (["alimtalk"] if template_for(kind.key) else [])
    for channel in offered:
        default = channel in kind.default_channels or (channel == "alimtalk" and "sms" in kind.default_channels)
        on = choices.get((kind.key, channel), stored.get(channel, default))
        if channel != turning_off and on:
            return True
    return False
