"""Writing and sending notifications. Every app calls ``notify``; nothing else sends messages.

Delivery guarantee, in short: the row is written in the caller's transaction and the task is
enqueued only after it commits, so no message exists without its row and no task runs for a row
that was rolled back. ``message_deliver`` claims the row with a conditional UPDATE committed on
its own (pending/held → sending, stamped ``claimed_at``) before anything leaves the building, so
two workers never send the same row at once and a redelivered task for a sent row does nothing.
Rows whose task was lost (Redis restarted, worker killed) are found by ``message_requeue_due``,
which beat runs every minute.

A caller that holds a lock (a registration holds its event's row) prepares the message first
(``notice_prepare``: preferences, quiet hours, the in-app text) and writes it under the lock with
``notice_write`` — one INSERT — so the lock is not held while messages are composed.

Fan-out to many people (a reminder to every registrant) uses ``notify_many``: the same rows and
keys as one ``notify`` per recipient, written in bulk, and delivered by ``message_deliver_many``
in batches — one claim UPDATE and one SMTP connection per batch, each row still marked on its own.
"""

from .alimtalk import (
    UnknownProviderMessage,
    alimtalk_fallback,
    alimtalk_receipt_apply,
    alimtalk_receipts_poll,
    alimtalk_reports_apply,
)
from .delivery import BatchOutcome, message_deliver, message_deliver_many
from .messages import (
    message_mark_all_read,
    message_mark_read,
    message_requeue_due,
    message_resend,
    preferences_update,
)
from .retention import message_purge_expired
from .sending import (
    DELIVERY_BATCH,
    INSERT_BATCH,
    Notice,
    message_enqueue_on_commit,
    messages_enqueue,
    notice_prepare,
    notice_write,
    notify,
    notify_many,
)
from .transport import NO_EMAIL, NO_PHONE, PermanentDeliveryError, TransientDeliveryError, message_id_header

# The constants here are copies: to change one (in a test), patch the submodule that reads it,
# e.g. ``sending.DELIVERY_BATCH``.
__all__ = [
    "DELIVERY_BATCH",
    "INSERT_BATCH",
    "NO_EMAIL",
    "NO_PHONE",
    "BatchOutcome",
    "Notice",
    "UnknownProviderMessage",
    "alimtalk_fallback",
    "alimtalk_receipt_apply",
    "alimtalk_receipts_poll",
    "alimtalk_reports_apply",
    "PermanentDeliveryError",
    "TransientDeliveryError",
    "message_deliver",
    "message_deliver_many",
    "message_enqueue_on_commit",
    "message_id_header",
    "message_mark_all_read",
    "message_mark_read",
    "message_purge_expired",
    "message_requeue_due",
    "message_resend",
    "messages_enqueue",
    "notice_prepare",
    "notice_write",
    "notify",
    "notify_many",
    "preferences_update",
]
