"""Project-wide scheduled jobs."""

from celery import shared_task

from .access_log import access_log_purge


@shared_task(acks_late=True)
def access_log_purge_task() -> int:
    return access_log_purge()
