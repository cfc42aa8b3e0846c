"""Retention of programs' records: decided and withdrawn applications are anonymised after
APPLICATION_RETENTION_DAYS (files gone, dashboard figures unchanged), stale drafts and saved finder
answers are deleted, undecided applications stay."""

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.services import user_delete
from programs import retention
from programs.models import Application, ApplicationDocument, ApplicationEvent, FinderProfile
from reports.forms import ReportFilters
from reports.selectors import applications_by_month, program_decisions

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db
S = Application.Status
DAYS = 1826
_refs = iter(range(1, 1_000_000))


@pytest.fixture
def now():
    return timezone.now()


def decided(program, applicant, *, status=S.APPROVED, days_ago: float, now, with_file=True) -> Application:
    """A submitted application decided ``days_ago`` days before ``now``, with answers, contact, a note
    in its history and (by default) an uploaded document."""
    decided_at = now - timedelta(days=days_ago)
    application = Application.objects.create(
        program=program, applicant=applicant, single_per_person=False, status=status,
        reference=f"GM-T-{next(_refs):06d}",
        submitted_at=decided_at - timedelta(days=12), decided_at=decided_at, answers={"child_name": "김아기"},
        contact_phone="010-1234-5678", consent_at=decided_at - timedelta(days=13), decision_reason="소득 기준 충족",
    )
    ApplicationEvent.objects.create(application=application, from_status=S.SUBMITTED, to_status=status,
                                    actor=applicant, note="가족관계증명서 확인", at=decided_at)
    if with_file:
        document = ApplicationDocument(application=application, original_name="가족관계증명서.pdf", size=9)
        document.file.save("family.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return application


def file_names(application) -> list[str]:
    return list(application.documents.values_list("file", flat=True))


def test_a_decided_application_past_retention_loses_everything_about_the_person(
        citizen, now, django_capture_on_commit_callbacks):
    program = ProgramFactory()
    old = decided(program, citizen, days_ago=DAYS + 1, now=now)
    kept = decided(program, citizen, status=S.REJECTED, days_ago=DAYS - 1, now=now)
    old_files, kept_files = file_names(old), file_names(kept)
    assert all(default_storage.exists(name) for name in old_files + kept_files)

    with django_capture_on_commit_callbacks(execute=True):
        assert retention.application_anonymise_expired(now=now) == 1

    # The old row, its reference, history and document are gone; the file too.
    assert not Application.objects.filter(pk=old.pk).exists()
    assert not Application.objects.filter(reference=old.reference).exists()
    assert not ApplicationEvent.objects.filter(application_id=old.pk).exists()
    assert not ApplicationDocument.objects.filter(application_id=old.pk).exists()
    assert not any(default_storage.exists(name) for name in old_files)
    # What stays holds only what the dashboard counts, under nobody's name.
    stand_in = Application.objects.exclude(pk=kept.pk).get()
    assert (stand_in.program_id, stand_in.status, stand_in.submitted_at, stand_in.decided_at) == (
        program.pk, S.APPROVED, old.submitted_at, old.decided_at)
    assert stand_in.applicant.email == retention.ANONYMISED_APPLICANT_EMAIL
    assert not stand_in.applicant.is_active and not stand_in.applicant.has_usable_password()
    assert (stand_in.answers, stand_in.contact_phone, stand_in.decision_reason, stand_in.consent_at) == (
        {}, "", "", None)
    assert not stand_in.history.exists() and not stand_in.documents.exists()
    # One day inside the period: untouched, file and all.
    kept.refresh_from_db()
    assert kept.applicant == citizen and kept.answers == {"child_name": "김아기"} and kept.contact_phone
    assert kept.history.get().note == "가족관계증명서 확인"
    assert all(default_storage.exists(name) for name in kept_files)
    for name in kept_files:
        default_storage.delete(name)


def test_running_twice_is_harmless(citizen, other_citizen, now, django_capture_on_commit_callbacks):
    program = ProgramFactory()
    # Two people's approved applications to one program: on the shared stand-in they must not collide
    # with the "one active application per person and program" constraint.
    for person in (citizen, other_citizen, citizen):
        decided(program, person, days_ago=DAYS + 10, now=now, with_file=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.application_anonymise_expired(now=now, batch_size=2) == 3
    before = list(Application.objects.order_by("pk").values_list("pk", "reference", "status", "submitted_at"))
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.application_anonymise_expired(now=now) == 0
        assert retention.application_anonymise_expired(now=now + timedelta(days=400)) == 0
    assert list(Application.objects.order_by("pk").values_list("pk", "reference", "status", "submitted_at")) == before
    assert not Application.objects.filter(applicant__in=[citizen, other_citizen]).exists()


def test_a_withdrawal_counts_from_when_it_happened_and_undecided_applications_stay(citizen, now):
    program = ProgramFactory(allows_repeat=True)
    long_ago = now - timedelta(days=DAYS + 1)

    def withdrawn(at):
        application = Application.objects.create(
            program=program, applicant=citizen, single_per_person=False, status=S.WITHDRAWN,
            reference=f"GM-T-{next(_refs):06d}", submitted_at=long_ago - timedelta(days=30), answers={"x": 1})
        ApplicationEvent.objects.create(application=application, from_status=S.SUBMITTED, to_status=S.WITHDRAWN,
                                        actor=citizen, at=at)
        Application.objects.filter(pk=application.pk).update(updated_at=at)
        return application

    old, recent = withdrawn(long_ago), withdrawn(now - timedelta(days=DAYS - 1))
    # Submitted years ago and still waiting for a decision: the office has to decide it first.
    waiting = Application.objects.create(program=program, applicant=citizen, single_per_person=False,
                                         status=S.UNDER_REVIEW, reference=f"GM-T-{next(_refs):06d}",
                                         submitted_at=long_ago, answers={"x": 2})
    Application.objects.filter(pk=waiting.pk).update(updated_at=long_ago)

    assert retention.application_anonymise_expired(now=now) == 1
    assert not Application.objects.filter(pk=old.pk).exists()
    assert Application.objects.filter(applicant__email=retention.ANONYMISED_APPLICANT_EMAIL,
                                      status=S.WITHDRAWN).count() == 1
    assert Application.objects.get(pk=recent.pk).answers == {"x": 1}
    assert Application.objects.get(pk=waiting.pk).answers == {"x": 2}


def test_the_dashboard_counts_anonymised_applications_as_before(citizen, clerk, now, settings):
    settings.SMALL_COUNT_THRESHOLD = 1  # three applications: show them whole to check the arithmetic
    program = ProgramFactory()
    for days_ago, status in ((DAYS + 40, S.APPROVED), (DAYS + 35, S.REJECTED), (DAYS + 30, S.APPROVED)):
        decided(program, citizen, status=status, days_ago=days_ago, now=now, with_file=False)
    start = timezone.localdate(now) - timedelta(days=DAYS + 100)
    filters = ReportFilters(start=start, end=timezone.localdate(now))

    def figures():
        return (applications_by_month(user=clerk, filters=filters).rows,
                program_decisions(user=clerk, filters=filters).rows)

    before = figures()
    assert before[1][0][2:6] == [3, 2, 1, 66.7]
    assert retention.application_anonymise_expired(now=now) == 3
    assert figures() == before


def test_after_anonymisation_deleting_the_account_keeps_nothing(citizen, now):
    decided(ProgramFactory(), citizen, days_ago=DAYS + 1, now=now, with_file=False)
    retention.application_anonymise_expired(now=now)
    assert user_delete(user=citizen) == []  # no decided application of theirs left to keep
    assert not type(citizen).objects.filter(pk=citizen.pk).exists()


def test_a_stale_draft_goes_with_its_files_a_recent_one_stays(citizen, other_citizen, now,
                                                              django_capture_on_commit_callbacks):
    program = ProgramFactory()

    def draft(user, days_ago):
        application = Application.objects.create(program=program, applicant=user, answers={"x": 1})
        document = ApplicationDocument(application=application, original_name="a.pdf", size=9)
        document.file.save("a.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
        Application.objects.filter(pk=application.pk).update(updated_at=now - timedelta(days=days_ago))
        return application, document.file.name

    (old, old_file), (recent, recent_file) = draft(citizen, 366), draft(other_citizen, 364)
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.application_draft_purge_expired(now=now) == 1
        assert retention.application_draft_purge_expired(now=now) == 0
    assert not Application.objects.filter(pk=old.pk).exists() and not default_storage.exists(old_file)
    assert Application.objects.filter(pk=recent.pk).exists() and default_storage.exists(recent_file)
    default_storage.delete(recent_file)


def test_saved_finder_answers_go_a_year_after_the_last_save(citizen, other_citizen, now):
    old = FinderProfile.objects.create(user=citizen, answers={"children": [2]})
    recent = FinderProfile.objects.create(user=other_citizen, answers={"children": [1]})
    FinderProfile.objects.filter(pk=old.pk).update(saved_at=now - timedelta(days=366))
    FinderProfile.objects.filter(pk=recent.pk).update(saved_at=now - timedelta(days=364))
    assert retention.finder_profile_purge_expired(now=now) == 1
    assert retention.finder_profile_purge_expired(now=now) == 0
    assert list(FinderProfile.objects.values_list("pk", flat=True)) == [recent.pk]


def test_finder_answers_go_in_bounded_batches(now):
    """A delete signal runs per row, so the job pages through ids: batches of 2 for 5 rows still
    remove them all, and no query reads more rows than a batch."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conftest import make_user

    for n in range(5):
        FinderProfile.objects.create(user=make_user(f"f{n}@example.com"), answers={})
    FinderProfile.objects.update(saved_at=now - timedelta(days=400))
    with CaptureQueriesContext(connection) as ctx:
        assert retention.finder_profile_purge_expired(now=now, batch_size=2) == 5
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT") and "finderprofile" in q["sql"]]
    assert selects and all("LIMIT" in sql or "IN (" in sql for sql in selects), selects
    assert not FinderProfile.objects.exists()


def test_the_nightly_job_is_scheduled_and_runs(settings):
    from gwangmyeong_portal.celery import app
    from programs.tasks import purge_expired_task

    entry = settings.CELERY_BEAT_SCHEDULE["programs-purge-expired"]
    assert entry["task"] == purge_expired_task.name and entry["task"] in app.tasks
    assert entry["schedule"].hour == {2}  # at night, Seoul time
    assert purge_expired_task.delay().get() == {"applications_anonymised": 0, "drafts_deleted": 0,
                                                "finder_profiles_deleted": 0}


def test_the_period_matches_the_apply_page_promise(settings):
    assert settings.APPLICATION_RETENTION_DAYS == 1826 == (date(2030, 1, 1) - date(2025, 1, 1)).days
