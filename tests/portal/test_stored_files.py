"""Every download of a stored file — application documents (citizen and admin), activity evidence,
background exports — is a sandboxed attachment, and a file gone from storage answers a clear 404
page and an error for operators, never a server error or the storage path. The nightly check lists
the rows whose files are gone."""

import logging
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.roles import role_permissions_sync
from gwangmyeong_portal import tasks
from gwangmyeong_portal.uploads import stored_files_missing
from notifications.models import Message
from partners.models import ActivityEvidence
from programs import services
from reports.models import ExportJob
from tests.files import PDF
from tests.partners.factories import ActivityReportFactory, AgencyFactory
from tests.programs.factories import ProgramFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    role_permissions_sync()
    return settings.MEDIA_ROOT


@pytest.fixture
def world(citizen, clerk):
    """One stored file of each kind a view hands out, and the URL (and who may open it)."""
    program = ProgramFactory(slug="birth")
    required = RequiredDocumentFactory(program=program)
    draft_program = ProgramFactory(slug="draft-only")
    draft_required = RequiredDocumentFactory(program=draft_program)

    application = services.application_start(program=program, applicant=citizen)
    services.application_save_draft(application=application, answers={}, consent=True,
                                    files={required: ContentFile(PDF, name="가족관계.pdf")})
    application = services.application_submit(application=application, actor=citizen)
    document = application.documents.get()

    draft = services.application_start(program=draft_program, applicant=citizen)
    services.application_save_draft(application=draft, answers={},
                                    files={draft_required: ContentFile(PDF, name="draft.pdf")})
    draft_document = draft.documents.get()

    evidence = ActivityEvidence(report=ActivityReportFactory(agency=AgencyFactory()), original_name="참석자.pdf")
    evidence.file.save("attendance.pdf", ContentFile(PDF), save=True)

    job = ExportJob(owner=clerk, kind="applications", status=ExportJob.Status.DONE, rows=1,
                    expires_at=timezone.now() + timedelta(hours=1))
    job.file.save("export.xlsx", ContentFile(b"PK\x03\x04 not really a workbook"), save=True)

    return {
        "my document": (citizen, reverse("my_applications:document", args=[application.reference, document.pk]),
                        document),
        "draft document": (citizen, reverse("programs:draft_document", args=[draft_program.slug, draft_document.pk]),
                           draft_document),
        "admin document": (clerk, reverse("admin:programs_application_document",
                                          args=[application.pk, document.pk]), document),
        "evidence": (clerk, f"/admin/partners/activityreport/evidence/{evidence.pk}/download/", evidence),
        "export": (clerk, reverse("reports:export_job_download", args=[job.token]), job),
    }


KINDS = ["my document", "draft document", "admin document", "evidence", "export"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_stored_file_is_served_as_a_sandboxed_download(client, world, kind):
    user, url, _row = world[kind]
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert "no-store" in response["Cache-Control"]
    b"".join(response.streaming_content)


@pytest.mark.parametrize("kind", KINDS)
def test_a_missing_file_answers_a_clear_404_and_an_error_for_operators(client, world, kind, caplog, settings):
    user, url, row = world[kind]
    row.file.storage.delete(row.file.name)
    settings.DEBUG = True  # even then: no traceback, no storage path
    client.force_login(user)
    with caplog.at_level(logging.ERROR, logger="gwangmyeong_portal.uploads"):
        response = client.get(url)
    assert response.status_code == 404
    page = response.content.decode()
    assert "파일을 찾을 수 없습니다" in page and "다시 올리거나" in page
    assert row.file.name not in page and str(settings.MEDIA_ROOT) not in page
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"{row._meta.label_lower} #{row.pk}" in message and row.file.name in message for message in errors)


def test_the_nightly_check_lists_rows_whose_files_are_gone_and_tells_operators(world, admin_user, caplog,
                                                                               settings, capsys):
    assert list(stored_files_missing()) == []
    evidence, job = world["evidence"][2], world["export"][2]
    agency = evidence.report.agency
    agency.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    for row, field in ((evidence, "file"), (job, "file"), (agency, "logo")):
        getattr(row, field).storage.delete(getattr(row, field).name)

    with caplog.at_level(logging.ERROR, logger="gwangmyeong_portal.uploads"):
        assert tasks.stored_files_check_task() == 3
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for label in (f"partners.activityevidence #{evidence.pk}", f"reports.exportjob #{job.pk}",
                  f"partners.agency #{agency.pk} (logo)"):
        assert label in logged
    message = Message.objects.get(recipient=admin_user, kind="portal.stored_files_missing", channel="inapp")
    assert f"partners.activityevidence #{evidence.pk}" in message.body and "3" in message.subject
    tasks.stored_files_check_task()  # the same night again: no second message
    assert Message.objects.filter(kind="portal.stored_files_missing", channel="inapp").count() == 1

    call_command("stored_files_check")
    out = capsys.readouterr().out
    assert f"reports.exportjob #{job.pk} (file)" in out and "3 missing" in out
    assert settings.CELERY_BEAT_SCHEDULE["portal-stored-files-check"]["task"] == (
        "gwangmyeong_portal.tasks.stored_files_check_task")


def test_generated_downloads_are_sandboxed_too(client, citizen):
    """Not only stored files: a calendar file, an event's .ics and "my data" are attachments as well."""
    from tests.events.factories import EventFactory

    event = EventFactory()
    client.force_login(citizen)
    for url in ("/programs/timeline.ics?due_date=2027-03-01", reverse("events:ics", args=[event.pk]),
                reverse("accounts:data_export")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment"), url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'", url
    page = client.get("/programs/")
    assert "sandbox" not in page["Content-Security-Policy"]  # pages keep the site's own policy
