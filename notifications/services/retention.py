"""Retention (MESSAGE_RETENTION_DAYS): messages go a fixed time after they were written."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gwangmyeong_portal.batches import id_batches

from ..models import Message

RETENTION_BATCH = 2000


def message_purge_expired(*, now: datetime | None = None, batch_size: int = RETENTION_BATCH) -> int:
    """Delete messages (every channel and status) created more than MESSAGE_RETENTION_DAYS ago;
    returns how many.

    Their subject, body and variables hold personal data (names, application references, event
    times), so nothing of them is kept. Ids come in ascending batches, each deleted in its own
    transaction with one DELETE (nothing hangs off a message): memory stays flat, a run stopped
    half-way keeps what it did, and running again finds nothing more. The unread badge may count a
    deleted message for up to ``page_cache.USER_TIMEOUT`` seconds. A deleted row frees its
    idempotency key, but every key names a one-time step (a status change, a history row, a
    reminder stamped on its registration) that is not taken again a year later.
    """
    now = now or timezone.now()
    expired = Message.objects.filter(created_at__lt=now - timedelta(days=settings.MESSAGE_RETENTION_DAYS))
    total = 0
    for ids in id_batches(expired, batch_size):
        with transaction.atomic():
            total += Message.objects.filter(pk__in=ids).delete()[0]
    return total
