"""Celery tasks of notifications: thin wrappers that take ids and call a service."""

from celery import shared_task
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


@shared_task(acks_late=True, time_limit=300)
def requeue_due_messages() -> int:
    """Beat, every minute: send held SMS after quiet hours and re-enqueue rows whose task was lost."""
    return services.message_requeue_due()
