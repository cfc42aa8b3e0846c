"""Project-wide scheduled jobs."""

from celery import shared_task

from .access_log import access_log_purge
from .stored_files import stored_files_check


@shared_task(acks_late=True)
def access_log_purge_task() -> int:
    return access_log_purge()


@shared_task(acks_late=True, time_limit=3600)
def stored_files_check_task() -> int:
    """Nightly: log (and tell operators about) rows whose stored files are gone."""
    return len(stored_files_check())
