"""Scheduled jobs of the meetup registry (thin: they call a service)."""

from celery import shared_task

from .services import retention_run


@shared_task(acks_late=True)
def retention_run_task() -> tuple[int, int]:
    return retention_run()
