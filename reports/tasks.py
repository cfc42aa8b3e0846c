"""Celery tasks of reports: thin wrappers around ``reports.services``."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(acks_late=True, time_limit=settings.REPORTS_EXPORT_TIME_LIMIT,
             soft_time_limit=settings.REPORTS_EXPORT_TIME_LIMIT - 30)
def run_export_job(job_id: int) -> bool:
    """Write one background XLSX export and notify its owner (a second delivery does nothing)."""
    return services.export_job_run(job_id=job_id)


@shared_task(acks_late=True, time_limit=600)
def purge_expired_exports() -> dict:
    """Hourly: expired export files are deleted; pending jobs whose task was lost are enqueued again."""
    return services.export_jobs_maintain()
