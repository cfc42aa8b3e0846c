"""Writes of the reports app: the access-log row of every export, and background XLSX exports.

A large XLSX export is an ``ExportJob`` row written in the request's transaction; the Celery task
is enqueued on commit and claims the row with a conditional UPDATE (pending → running), so a
redelivered task does nothing. The file goes to private storage; the owner is notified with a link
that only they can use, until ``expires_at``.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from gwangmyeong_portal.access_log import access_log_record
from gwangmyeong_portal.enqueue import enqueue_on_commit

from . import exports
from .models import ExportJob

logger = logging.getLogger(__name__)


def export_log(*, request, record_type: str, filters: dict, rows: int, fmt: str, reason: str = "",
               extra: dict | None = None) -> None:
    """One personal-data access-log row per export: who (request.user), when, which export, filters, rows."""
    access_log_record(action="export", request=request, record_type=record_type, reason=reason,
                      detail={"filters": filters, "rows": rows, "format": fmt, **(extra or {})})


def export_job_start(*, owner, kind: str, filters: dict, language: str, reason: str) -> ExportJob:
    """Record a background XLSX export and enqueue its task once the transaction commits."""
    if kind not in exports.DETAIL_EXPORTS:
        raise ValueError(f"unknown export kind {kind!r}")
    job = ExportJob.objects.create(
        owner=owner, kind=kind, format="xlsx", language=language, filters=filters, reason=reason[:300],
        expires_at=timezone.now() + timedelta(hours=settings.REPORTS_EXPORT_LINK_HOURS),
    )
    export_job_enqueue_on_commit(job.pk)
    return job


def export_job_enqueue_on_commit(job_id: int) -> None:
    """Run the job's task once the transaction commits (``gwangmyeong_portal.enqueue``, robust:
    a broker outage must not turn the clerk's request into an error page; the hourly maintenance
    job enqueues pending jobs whose task was lost)."""
    enqueue_on_commit("reports.tasks.run_export_job", args=(job_id,))


def export_job_run(*, job_id: int) -> bool:
    """Write the job's XLSX file and notify its owner. True if this call did the work.

    Rows are read with the owner's ``visible_to`` at run time. Any failure marks the job failed
    (with the reason) rather than retrying: the same filters would fail the same way.
    """
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now())
    if not claimed:
        return False
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    export = exports.DETAIL_EXPORTS[job.kind]
    try:
        with tempfile.TemporaryFile() as tmp:
            count = exports.xlsx_write(
                tmp, exports.headers(export.columns, job.language),
                export.rows(user=job.owner, filters=job.filters), title=_title(export, job.language))
            tmp.seek(0)
            job.file.save(exports.file_name(job.kind, "xlsx"), File(tmp), save=False)
    except Exception as exc:  # noqa: BLE001 - recorded on the job, shown to the clerk, logged
        logger.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED, error=str(exc)[:2000],
                                                   finished_at=timezone.now())
        return False
    with transaction.atomic():
        job.status, job.rows, job.finished_at = ExportJob.Status.DONE, count, timezone.now()
        job.save(update_fields=["status", "rows", "file", "finished_at"])
        _notify_ready(job, export)
    return True


def _title(export, language: str) -> str:
    if language == "en":
        return export.kind.capitalize()
    with translation.override("ko"):
        return str(export.title)


def _notify_ready(job: ExportJob, export) -> None:
    from notifications.services import notify

    with translation.override("ko"):
        name = str(export.title)
    notify(
        recipient=job.owner, kind="reports.export_ready", channels=("inapp", "email"),
        context={"export_name": name, "rows": job.rows,
                 "expires": f"{timezone.localtime(job.expires_at):%Y-%m-%d %H:%M}"},
        link=reverse("reports:export_job_download", args=[job.token]),
        idempotency_key=f"reports.export_ready:{job.pk}",
    )


def export_jobs_maintain(*, now=None) -> dict:
    """Hourly: delete expired jobs and their files; enqueue again jobs whose task was lost."""
    now = now or timezone.now()
    deleted = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).only("pk", "file"):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        deleted += 1
    stale_running = now - timedelta(seconds=2 * settings.REPORTS_EXPORT_TIME_LIMIT)
    ExportJob.objects.filter(status=ExportJob.Status.RUNNING, started_at__lt=stale_running).update(
        status=ExportJob.Status.PENDING)
    requeued = 0
    for job_id in ExportJob.objects.filter(status=ExportJob.Status.PENDING,
                                           created_at__lt=now - timedelta(minutes=10)).values_list("pk", flat=True):
        export_job_enqueue_on_commit(job_id)
        requeued += 1
    return {"deleted": deleted, "requeued": requeued}
