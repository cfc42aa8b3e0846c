"""Large XLSX exports run as a Celery task after commit; the clerk is notified with a link that only
they can use and that stops working when it expires."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gwangmyeong_portal.models import AccessLogEntry
from notifications.models import Message
from reports import services
from reports.models import ExportJob

from .conftest import CITIZEN_EMAIL, CITIZEN_PHONE, PERIOD


def ask_large_xlsx(client, django_capture_on_commit_callbacks):
    data = {**PERIOD, "format": "xlsx", "lang": "ko", "reason": "연간 실적 보고"}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("reports:detail_export", args=["applications"]), data)
    return response, callbacks


@pytest.fixture
def small_threshold(settings):
    settings.REPORTS_SYNC_XLSX_MAX_ROWS = 2  # the fixed data has 5 applications in 2025


@pytest.mark.django_db
def test_large_xlsx_goes_to_celery_and_notifies_the_clerk(client, clerk, data, small_threshold,
                                                          django_capture_on_commit_callbacks):
    client.force_login(clerk)
    response, callbacks = ask_large_xlsx(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("reports:export_jobs")
    assert len(callbacks) >= 1  # enqueued only on commit
    job = ExportJob.objects.get()
    assert job.owner == clerk and job.status == ExportJob.Status.DONE and job.rows == 5 and job.file
    assert job.expires_at > timezone.now() + timedelta(hours=71)
    entry = AccessLogEntry.objects.filter(action="export").latest("pk")
    assert entry.reason == "연간 실적 보고" and entry.detail["rows"] == 5 and entry.detail["job"] == job.pk

    link = reverse("reports:export_job_download", args=[job.token])
    inapp = Message.objects.get(recipient=clerk, kind="reports.export_ready", channel="inapp")
    assert inapp.link == link and "5" in inapp.body
    assert any(link in m.body for m in mail.outbox if clerk.email in m.to)

    download = client.get(link)
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "신청 번호" and len(rows) == 6
    flat = " ".join(str(v) for row in rows for v in row)
    assert CITIZEN_EMAIL not in flat and CITIZEN_PHONE not in flat
    assert AccessLogEntry.objects.filter(action="export", detail__download=True, actor=clerk).count() == 1

    jobs_page = client.get(reverse("reports:export_jobs"))
    assert link in jobs_page.content.decode()


@pytest.mark.django_db
def test_download_link_is_for_its_owner_only_and_expires(client, clerk, other_clerk, data, small_threshold,
                                                         django_capture_on_commit_callbacks):
    client.force_login(clerk)
    ask_large_xlsx(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    link = reverse("reports:export_job_download", args=[job.token])

    client.force_login(other_clerk)
    assert client.get(link).status_code == 404
    assert link not in client.get(reverse("reports:export_jobs")).content.decode()
    client.logout()
    assert client.get(link).status_code == 302  # to the login page

    client.force_login(clerk)
    assert client.get(link).status_code == 200
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(link).status_code == 404


@pytest.mark.django_db
def test_small_xlsx_and_every_csv_stay_in_the_request(client, clerk, data, django_capture_on_commit_callbacks):
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:detail_export", args=["applications"]),
                               {**PERIOD, "format": "xlsx", "lang": "ko", "reason": "월간 보고"})
    assert response.status_code == 200 and not ExportJob.objects.exists()


@pytest.mark.django_db
def test_a_redelivered_task_does_nothing(client, clerk, data, small_threshold, django_capture_on_commit_callbacks):
    client.force_login(clerk)
    ask_large_xlsx(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert services.export_job_run(job_id=job.pk) is False
    assert Message.objects.filter(kind="reports.export_ready", channel="inapp").count() == 1


@pytest.mark.django_db
def test_expired_jobs_are_purged_with_their_files(client, clerk, data, small_threshold,
                                                  django_capture_on_commit_callbacks):
    client.force_login(clerk)
    ask_large_xlsx(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)
    assert services.export_jobs_maintain(now=timezone.now())["deleted"] == 0
    assert services.export_jobs_maintain(now=job.expires_at + timedelta(seconds=1))["deleted"] == 1
    assert not ExportJob.objects.exists() and not storage.exists(name)


@pytest.mark.django_db
def test_a_failed_export_is_recorded_not_retried(monkeypatch, client, clerk, data, small_threshold,
                                                  django_capture_on_commit_callbacks):
    from reports import exports

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "xlsx_write", broken)
    client.force_login(clerk)
    ask_large_xlsx(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED and "disk full" in job.error
    assert not Message.objects.filter(kind="reports.export_ready").exists()
