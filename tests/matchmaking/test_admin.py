"""Staff screens: access-log rows for every look at a profile, verification and rosters limited to
the staff member's agency, draws and attendance through services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gwangmyeong_portal.models import AccessLogEntry
from matchmaking import services
from matchmaking.models import DrawRecord, RosterEntry, SessionApplication, Verification

from .factories import AgencyFactory, UserFactory, make_profile, make_session, verifier_for

pytestmark = pytest.mark.django_db


def test_operator_profile_views_are_written_to_the_access_log(client, admin_user):
    profile = make_profile(agency=AgencyFactory())
    client.force_login(admin_user)
    assert client.get(f"/admin/matchmaking/profile/{profile.pk}/change/").status_code == 200
    entry = AccessLogEntry.objects.get(action="view")
    assert entry.actor == admin_user and entry.subject_user_id == profile.user_id
    assert entry.record_type == "matchmaking.profile" and entry.record_id == str(profile.pk)
    client.get("/admin/matchmaking/profile/")
    assert AccessLogEntry.objects.filter(action="list", record_type="matchmaking.profile").exists()


def test_verifier_confirms_requests_of_their_own_agency_only(client):
    agency, other = AgencyFactory(), AgencyFactory()
    verifier = verifier_for(agency)
    mine = services.verification_request(user=UserFactory(), agency=agency)
    theirs = services.verification_request(user=UserFactory(), agency=other)
    client.force_login(verifier)
    listing = client.get("/admin/matchmaking/verification/").content.decode()
    assert mine.user.name in listing and theirs.user.name not in listing
    client.post("/admin/matchmaking/verification/",
                {"action": "confirm", "_selected_action": [mine.pk, theirs.pk]})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == Verification.Status.CONFIRMED and mine.decided_by == verifier
    assert theirs.status == Verification.Status.REQUESTED
    assert services.eligibility_for(user=mine.user).agency == agency


def test_verifier_uploads_a_roster_for_their_agency(client):
    agency = AgencyFactory()
    verifier = verifier_for(agency)
    client.force_login(verifier)
    upload = SimpleUploadedFile("명단.csv", b"email\nPark@Example.com\nkim@example.com\n", content_type="text/csv")
    response = client.post("/admin/matchmaking/rosterupload/add/", {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(RosterEntry.objects.filter(agency=agency).values_list("email", flat=True)) == {
        "park@example.com", "kim@example.com"}


def test_clerk_runs_the_draw_from_the_admin(client, clerk):
    session = make_session(start_in_days=5)
    profile = make_profile()
    services.session_apply(session=session, profile=profile, now=session.applications_open_at)
    from datetime import timedelta

    from django.utils import timezone

    session.__class__.objects.filter(pk=session.pk).update(applications_close_at=timezone.now() - timedelta(minutes=1),
                                                           applications_open_at=timezone.now() - timedelta(days=2))
    client.force_login(clerk)
    client.post("/admin/matchmaking/meetupsession/", {"action": "run_draw", "_selected_action": [session.pk]})
    assert DrawRecord.objects.filter(session=session, drawn_by=clerk).exists()
    assert SessionApplication.objects.get(profile=profile).status == "selected"


def test_clerk_creates_a_session_as_a_calendar_event(client, clerk):
    client.force_login(clerk)
    response = client.post("/admin/matchmaking/meetupsession/add/", {
        "title_ko": "봄 만남의 날", "starts_at": "2030-05-10 14:00", "ends_at": "2030-05-10 17:00", "venue": "시민회관",
        "seats_female": 10, "seats_male": 10,
        # The admin splits model date-times into a date and a time box.
        "applications_open_at_0": "2030-04-01", "applications_open_at_1": "09:00",
        "applications_close_at_0": "2030-04-20", "applications_close_at_1": "18:00",
        "pick_deadline_0": "2030-05-13", "pick_deadline_1": "18:00",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    from matchmaking.models import MeetupSession

    session = MeetupSession.objects.get()
    assert session.event.title_ko == "봄 만남의 날" and session.event.type == "meetup"
