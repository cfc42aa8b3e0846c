"""Celery tasks of notifications: thin wrappers that take ids and call a service."""

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from . import services


@shared_task(
    bind=True,
    acks_late=True,  # a task lost with its worker is redelivered, not dropped
    reject_on_worker_lost=True,
    autoretry_for=(services.TransientDeliveryError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
    time_limit=settings.NOTIFY_SEND_TIME_LIMIT,
    soft_time_limit=max(1, settings.NOTIFY_SEND_TIME_LIMIT - 10),
)
def deliver_message(self, message_id: int) -> str:
    return services.message_deliver(message_id=message_id, final_attempt=self.request.retries >= self.max_retries)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=6,
    # The same limits as one message: a batch stops starting sends after half of that time (see
    # message_deliver_many) and hands the rest on, so its claims never outlive NOTIFY_CLAIM_TIMEOUT.
    time_limit=settings.NOTIFY_SEND_TIME_LIMIT,
    soft_time_limit=max(1, settings.NOTIFY_SEND_TIME_LIMIT - 10),
)
def deliver_messages(self, message_ids: list[int]) -> dict[str, int]:
    """Send a batch of messages (notify_many) over one SMTP connection; retry only the ids that hit a
    transient error, with backoff like deliver_message; re-enqueue at once those the batch had no
    time left for."""
    outcome = services.message_deliver_many(message_ids=message_ids,
                                            final_attempt=self.request.retries >= self.max_retries)
    if outcome.deferred:
        services.messages_enqueue(outcome.deferred)
    if outcome.retry:
        countdown = get_exponential_backoff_interval(factor=1, retries=self.request.retries, maximum=600,
                                                     full_jitter=True)
        raise self.retry(args=(outcome.retry,), countdown=countdown)
    return {"sent": len(outcome.sent), "failed": len(outcome.failed), "skipped": len(outcome.skipped)}


@shared_task(acks_late=True, time_limit=300)
def requeue_due_messages() -> int:
    """Beat, every minute: send held SMS after quiet hours and re-enqueue rows whose task was lost."""
    return services.message_requeue_due()


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3540)
def purge_expired_task() -> int:
    """Nightly: messages older than MESSAGE_RETENTION_DAYS are deleted."""
    return services.message_purge_expired()


@shared_task(acks_late=True, time_limit=240, soft_time_limit=220)
def poll_alimtalk_receipts() -> int:
    """Beat, every 5 minutes: ask SOLAPI about 알림톡 whose delivery report has not come."""
    return services.alimtalk_receipts_poll()
