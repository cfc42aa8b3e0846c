"""Every admin changelist the project registers runs the same number of queries with 2 rows and with 12.

Clerks and agency staff page through these lists all day; a foreign key or a property shown in
``list_display`` without ``list_select_related`` costs one query per row. The cases come from the
admin registry itself, so a newly registered project admin fails here until it has a row builder.
"""

import io
import itertools
from collections.abc import Callable
from datetime import time, timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from events import services as events_services
from events.models import EventSeries
from gwangmyeong_portal.access_log import access_log_record
from gwangmyeong_portal.models import AccessLogEntry
from matchmaking import services as matchmaking_services
from notifications.services import notify
from programs.models import Application
from tests.events import factories as events_factories
from tests.matchmaking import factories as matchmaking_factories
from tests.partners import factories as partners_factories
from tests.programs.factories import ApplicationFactory, HouseholdTagFactory, ProgramFactory

pytestmark = pytest.mark.django_db

# App labels of the project's own apps (gwangmyeong_portal's label is "portal"); Django's and
# third-party admins (groups, celery beat, allauth) are not ours to fix.
PROJECT_APP_LABELS = {"portal", "accounts", "notifications", "partners", "programs", "events", "matchmaking"}
FEW, MORE = 2, 12

_seq = itertools.count(1)


def _person(prefix="person", **kwargs):
    n = next(_seq)
    return make_user(f"{prefix}{n}@example.com", name=f"{prefix} {n}", **kwargs)


# --- Row builders: each makes n rows of its model that a superuser sees in the changelist --------
# Rows differ in every foreign key the list shows, so a per-row lookup cannot hide behind one cached object.

def _users(n):
    for _ in range(n):
        _person()


def _messages(n):
    for _ in range(n):
        notify(recipient=_person(), kind="notifications.welcome", context={"name": "김시민", "tip": "-"},
               channels=["inapp"])


def _access_log_entries(n):
    actor = _person("clerk", is_staff=True)
    for i in range(n):
        access_log_record(action=AccessLogEntry.Action.VIEW, actor=actor, record_type="programs.application",
                          record_id=str(next(_seq)), subject_label=f"GM-2027-{i:06d}")


def _programs(n):
    for _ in range(n):
        ProgramFactory()


def _household_tags(n):
    for _ in range(n):
        HouseholdTagFactory()


def _applications(n):
    for _ in range(n):
        application = ApplicationFactory(program=ProgramFactory(), applicant=_person())
        # Submitted (the admin hides drafts) without the document upload the submit service needs.
        Application.objects.filter(pk=application.pk).update(
            status=Application.Status.SUBMITTED, reference=f"GM-2027-{application.pk:06d}",
            submitted_at=timezone.now())


def _events(n):
    for _ in range(n):
        events_factories.EventFactory(organiser=events_factories.AgencyFactory())


def _event_series(n):
    first = timezone.localdate() + timedelta(days=7)
    for _ in range(n):
        EventSeries.objects.create(title_ko=f"부부 교실 {next(_seq)}", weekday=first.weekday(), start_time=time(19),
                                   first_date=first, last_date=first + timedelta(weeks=4),
                                   organiser=events_factories.AgencyFactory())


def _registrations(n):
    for _ in range(n):
        events_factories.RegistrationFactory(user=_person())


def _feedback(n):
    for _ in range(n):
        # Only checked-in attendees may leave feedback.
        registration = events_factories.RegistrationFactory(user=_person(), status="attended",
                                                            checked_in_at=timezone.now())
        events_services.feedback_submit(registration=registration, rating=4, comment="좋았어요",
                                        now=registration.event.starts_at + timedelta(hours=1))


def _organiser_messages(n):
    for _ in range(n):
        registration = events_factories.RegistrationFactory(user=_person())
        events_services.registrants_message(event=registration.event, statuses=["confirmed"], text="주차 안내",
                                            sent_by=_person())


def _agencies(n):
    for _ in range(n):
        partners_factories.AgencyFactory()


def _memberships(n):
    for _ in range(n):
        partners_factories.staff_of(partners_factories.AgencyFactory())


def _agreements(n):
    for _ in range(n):
        partners_factories.AgreementFactory()


def _commitments(n):
    for _ in range(n):
        partners_factories.CommitmentFactory()


def _activity_reports(n):
    for _ in range(n):
        partners_factories.ActivityReportFactory()


def _lecturers(n):
    for _ in range(n):
        partners_factories.LecturerFactory()


def _lecture_requests(n):
    for _ in range(n):
        partners_factories.LectureRequestFactory(lecturer=partners_factories.LecturerFactory())


def _profiles(n):
    for _ in range(n):
        matchmaking_factories.make_profile()


def _verifications(n):
    for _ in range(n):
        matchmaking_services.verification_request(user=matchmaking_factories.UserFactory(),
                                                  agency=matchmaking_factories.AgencyFactory())


def _roster_uploads(n):
    # One roster per agency (an upload replaces the agency's previous one), each by its own verifier.
    for _ in range(n):
        agency = matchmaking_factories.AgencyFactory()
        matchmaking_services.roster_import(agency=agency, uploaded_by=matchmaking_factories.verifier_for(agency),
                                           file=io.BytesIO(f"staff{next(_seq)}@example.com\n".encode()))


def _sessions(n):
    for _ in range(n):
        matchmaking_factories.make_session()


def _session_applications(n):
    for _ in range(n):
        session = matchmaking_factories.make_session()
        matchmaking_services.session_apply(session=session, profile=matchmaking_factories.make_profile(),
                                           now=session.applications_open_at)


def _draw_records(n):
    for _ in range(n):
        session = matchmaking_factories.make_session()
        matchmaking_services.session_draw(session=session, drawn_by=_person("drawer", is_staff=True,
                                                                            is_superuser=True),
                                          now=session.applications_close_at)


BUILDERS: dict[str, Callable[[int], None]] = {
    "portal.accesslogentry": _access_log_entries,
    "accounts.user": _users,
    "notifications.message": _messages,
    "programs.program": _programs,
    "programs.householdtag": _household_tags,
    "programs.application": _applications,
    "events.event": _events,
    "events.eventseries": _event_series,
    "events.registration": _registrations,
    "events.feedback": _feedback,
    "events.organisermessage": _organiser_messages,
    "partners.agency": _agencies,
    "partners.agencymembership": _memberships,
    "partners.agreement": _agreements,
    "partners.commitment": _commitments,
    "partners.activityreport": _activity_reports,
    "partners.lecturer": _lecturers,
    "partners.lecturerequest": _lecture_requests,
    "matchmaking.profile": _profiles,
    "matchmaking.verification": _verifications,
    "matchmaking.rosterupload": _roster_uploads,
    "matchmaking.meetupsession": _sessions,
    "matchmaking.sessionapplication": _session_applications,
    "matchmaking.drawrecord": _draw_records,
}


def project_admin_labels() -> list[str]:
    return sorted(model._meta.label_lower for model in admin.site._registry
                  if model._meta.app_label in PROJECT_APP_LABELS)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # roster files


def _load(client, url):
    """(queries, rows in the list) of one changelist load."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(ctx.captured_queries), response.context_data["cl"].result_count, ctx.captured_queries


def test_every_builder_belongs_to_a_registered_project_admin():
    stale = sorted(set(BUILDERS) - set(project_admin_labels()))
    assert not stale, f"Row builders for models with no project admin any more: {stale}"


@pytest.mark.parametrize("label", project_admin_labels())
def test_admin_changelist_query_count_is_flat(client, admin_user, label):
    build = BUILDERS.get(label)
    if build is None:
        pytest.fail(f"The admin of {label} has no row builder in {__name__}.BUILDERS: add one that makes n rows "
                    f"visible to a superuser, so its changelist is checked for N+1 queries.")
    app_label, model_name = label.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    client.force_login(admin_user)

    build(FEW)
    client.get(url)  # warm per-process caches, the session and content types
    few, rows_few, _queries = _load(client, url)
    build(MORE - FEW)
    more, rows_more, queries = _load(client, url)

    assert rows_more - rows_few == MORE - FEW, f"{label}: the builder's rows are not all in the changelist"
    assert more == few, (
        f"{label} changelist: {few} queries with {rows_few} rows, {more} with {rows_more} rows:\n"
        + "\n".join(q["sql"][:300] for q in queries)
    )
