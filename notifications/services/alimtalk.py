"""알림톡 after it left: the SMS/LMS fallback, delivery receipts (SOLAPI's webhook) and the poll for
receipts that did not come.

Exactly once, per channel: the 알림톡 row has its own idempotency key; its fallback is a second
row, keyed ``fallback:<original id>:sms`` and linked by the one-to-one ``fallback_of``, so however
many failure reports arrive (webhook retries, a replay, the poll racing the webhook) one text goes
out. A receipt changes a row only while it is awaiting one (a conditional UPDATE), so a duplicate
or replayed report changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from gwangmyeong_portal.enqueue import enqueue_on_commit

from .. import alimtalk as backends
from ..kinds import UnknownKind, get_kind
from ..models import Message
from ..quiet_hours import quiet_until

logger = logging.getLogger("notifications.services")

# notifications.tasks.deliver_message, by name (services never import tasks).
DELIVER_ONE = "notifications.tasks.deliver_message"


class UnknownProviderMessage(LookupError):
    """A report for a message id the portal never sent (or no longer keeps)."""


def alimtalk_fallback(*, message: Message, text: str, reason: str) -> Message:
    """Write, once, the SMS/LMS standing in for an undelivered 알림톡, and send it after commit.

    The row carries the 알림톡's text (``body``), so the citizen reads the same words; it is held
    in quiet hours like any text unless the kind is urgent. Calling again for the same 알림톡
    returns the row already written and sends nothing more.
    """
    existing = Message.objects.filter(fallback_of=message).first()
    if existing is not None:
        return existing
    try:
        urgent = get_kind(message.kind).urgent
    except UnknownKind:
        urgent = False
    held_until = None if urgent else quiet_until(timezone.now())
    row = Message(
        recipient_id=message.recipient_id, kind=message.kind, channel=Message.Channel.SMS,
        idempotency_key=f"fallback:{message.pk}:sms", context=message.context, link=message.link,
        subject=backends.sms_type(text), body=text, fallback_of=message,
        status=Message.Status.HELD if held_until else Message.Status.PENDING, not_before=held_until,
        last_error=f"알림톡 not delivered: {reason}"[:2000],
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # a concurrent report wrote it first
        return Message.objects.get(fallback_of=message)
    logger.info("notification %s: 알림톡 not delivered (%s), fallback %s %s", message.pk, reason, row.pk,
                row.subject)
    enqueue_on_commit(DELIVER_ONE, args=(row.pk,), eta=row.not_before)
    return row


def alimtalk_receipt_apply(*, provider_message_id: str, status_code: str, status_message: str = "") -> str:
    """Apply one delivery report; returns "delivered", "undelivered", "pending" or "unchanged".

    Raises ``UnknownProviderMessage`` for an id no 알림톡 row has. A row that already has its final
    receipt is left as it is (conditional UPDATE on ``receipt="awaiting"``): a report delivered
    twice, replayed, or arriving after the poll settled it changes nothing.
    """
    message = (Message.objects.select_related("recipient")
               .filter(provider_message_id=provider_message_id, channel=Message.Channel.ALIMTALK).first())
    if message is None:
        raise UnknownProviderMessage(provider_message_id)
    awaiting = Message.objects.filter(pk=message.pk, receipt=Message.Receipt.AWAITING)
    now = timezone.now()
    if status_code in backends.PENDING_CODES:
        awaiting.update(provider_status=status_code)
        return "pending"
    if status_code in backends.DELIVERED_CODES:
        changed = awaiting.update(provider_status=status_code, receipt=Message.Receipt.DELIVERED, receipt_at=now)
        return "delivered" if changed else "unchanged"
    reason = backends.failure_reason(status_code, status_message)
    with transaction.atomic():
        changed = awaiting.update(provider_status=status_code, receipt=Message.Receipt.UNDELIVERED, receipt_at=now,
                                  last_error=f"알림톡 not delivered: {reason}"[:2000])
        if not changed:
            return "unchanged"
        alimtalk_fallback(message=message, text=message.body, reason=reason)
    return "undelivered"


def alimtalk_receipts_poll(*, now: datetime | None = None, limit: int = 200) -> int:
    """Beat: ask the provider about 알림톡 accepted more than ALIMTALK_RECEIPT_WAIT ago whose report
    never came, and apply the answer as a receipt. Returns how many rows were asked about."""
    now = now or timezone.now()
    due = list(
        Message.objects.filter(channel=Message.Channel.ALIMTALK, receipt=Message.Receipt.AWAITING,
                               sent_at__lte=now - timedelta(seconds=settings.ALIMTALK_RECEIPT_WAIT))
        .exclude(provider_message_id="").order_by("sent_at").values_list("provider_message_id", flat=True)[:limit]
    )
    if not due:
        return 0
    backend = backends.get_alimtalk_backend()
    asked = 0
    for provider_id in due:
        try:
            code, text = backend.status(provider_id)
        except backends.AlimtalkError as exc:
            logger.warning("알림톡 receipt poll for %s failed: %s", provider_id, exc)
            continue
        asked += 1
        alimtalk_receipt_apply(provider_message_id=provider_id, status_code=code, status_message=text)
    return asked


def alimtalk_reports_apply(*, reports: list[dict]) -> dict[str, int]:
    """A webhook call's reports (SOLAPI single reports: ``[{"eventDataId", "data": {"messageId",
    "statusCode", "type", …}}]``), all or nothing: one unknown 알림톡 id rolls the whole call back
    and raises ``UnknownProviderMessage``, so nothing changes. Reports of other types (the texts
    SOLAPI also sent) are acknowledged and ignored. ``ValueError`` for a malformed body."""
    if not isinstance(reports, list) or not reports:
        raise ValueError("a list of reports is expected")
    outcome: dict[str, int] = {}
    with transaction.atomic():
        for report in reports:
            data = report.get("data") if isinstance(report, dict) else None
            if not isinstance(data, dict) or not data.get("messageId") or not data.get("statusCode"):
                raise ValueError("each report needs data.messageId and data.statusCode")
            if data.get("type") and data["type"] != "ATA":
                # SOLAPI reports every message of the account, texts too; only 알림톡 receipts are kept.
                outcome["ignored"] = outcome.get("ignored", 0) + 1
                continue
            result = alimtalk_receipt_apply(provider_message_id=str(data["messageId"]),
                                            status_code=str(data["statusCode"]),
                                            status_message=str(data.get("statusMessage") or ""))
            outcome[result] = outcome.get(result, 0) + 1
    return outcome
