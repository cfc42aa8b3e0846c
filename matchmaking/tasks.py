"""Scheduled jobs of the meetup registry (thin: they call a service)."""

from celery import shared_task

from .services import consent_purge_unused, retention_run


@shared_task(acks_late=True)
def retention_run_task() -> tuple[int, int]:
    return retention_run()


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1740)
def purge_unused_consents_task() -> int:
    """Nightly: consents and verification requests of people without a profile, unused for
    MATCHMAKING_UNUSED_CONSENT_DAYS, are deleted."""
    return consent_purge_unused()
