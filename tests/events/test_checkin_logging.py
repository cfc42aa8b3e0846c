"""Checking people in and cancelling for them are changes to their personal data: each writes an
access-log row naming the registrant, and only staff allowed to change registrations can do them."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from conftest import make_user
from events.models import Event, Registration
from gwangmyeong_portal.models import AccessLogEntry

from .factories import AgencyFactory, EventFactory, RegistrationFactory, staff_of

pytestmark = pytest.mark.django_db

S = Registration.Status


@pytest.mark.parametrize("value", ["abc", "1.5", "9999999999999999999999"])
def test_a_malformed_registration_id_at_check_in_is_404_not_500(client, clerk, value):
    event = EventFactory()
    client.force_login(clerk)
    assert client.post(f"/events/{event.pk}/check-in/", {"registration": value}).status_code == 404


@pytest.mark.parametrize("by", ["registration", "token"])
def test_check_in_writes_an_access_log_row_for_the_registrant(client, clerk, citizen, by):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=1))
    registration = RegistrationFactory(event=event, user=citizen)
    client.force_login(clerk)
    value = registration.pk if by == "registration" else registration.token
    client.post(f"/events/{event.pk}/check-in/", {by: value})
    registration.refresh_from_db()
    assert registration.status == S.ATTENDED
    entry = AccessLogEntry.objects.get(action="change")
    assert entry.actor == clerk and entry.subject_user_id == citizen.pk
    assert entry.record_type == "events.registration" and entry.record_id == str(registration.pk)


def test_a_refused_check_in_writes_no_change_row(client, clerk, citizen):
    event = EventFactory()
    registration = RegistrationFactory(event=event, user=citizen, status=S.WAITLISTED)
    client.force_login(clerk)
    client.post(f"/events/{event.pk}/check-in/", {"registration": registration.pk})
    assert not AccessLogEntry.objects.filter(action="change").exists()


@pytest.fixture
def viewer(db):
    """Staff of the organising agency who may look at registrations but not change them."""
    agency = AgencyFactory(slug="police")
    user = staff_of(agency, "viewer@example.com")
    user.groups.clear()
    user.user_permissions.set(Permission.objects.filter(
        content_type__app_label="events", codename__in=["view_event", "view_registration"]))
    return agency, user


def test_admin_cancelling_registrations_is_logged_per_registrant(client, citizen, other_citizen):
    agency = AgencyFactory(slug="police")
    staff = staff_of(agency, "a.staff@example.com")
    event = EventFactory(organiser=agency, organiser_office="")
    mine = RegistrationFactory(event=event, user=citizen)
    theirs = RegistrationFactory(event=event, user=other_citizen)
    client.force_login(staff)
    client.post("/admin/events/registration/", {"action": "cancel_registrations",
                                                 "_selected_action": [mine.pk, theirs.pk]})
    assert set(Registration.objects.values_list("status", flat=True)) == {S.CANCELLED}
    entries = AccessLogEntry.objects.filter(action="change", record_type="events.registration")
    assert sorted(entries.values_list("subject_user_id", flat=True)) == sorted([citizen.pk, other_citizen.pk])
    assert {e.actor for e in entries} == {staff}


def test_admin_cancel_actions_need_the_change_permission(client, citizen, viewer):
    agency, user = viewer
    event = EventFactory(organiser=agency, organiser_office="")
    registration = RegistrationFactory(event=event, user=citizen)
    client.force_login(user)
    assert client.get("/admin/events/registration/").status_code == 200  # may look
    client.post("/admin/events/registration/", {"action": "cancel_registrations",
                                                 "_selected_action": [registration.pk]})
    client.post("/admin/events/event/", {"action": "cancel_events", "_selected_action": [event.pk]})
    registration.refresh_from_db()
    event.refresh_from_db()
    assert registration.status == S.CONFIRMED and event.status == Event.Status.SCHEDULED
    changelist = client.get("/admin/events/event/").content.decode()
    assert "cancel_events" not in changelist


def test_citizens_cannot_reach_the_admin_actions(client, citizen):
    event = EventFactory()
    other = make_user("x@example.com")
    registration = RegistrationFactory(event=event, user=other)
    client.force_login(citizen)
    client.post("/admin/events/registration/", {"action": "cancel_registrations",
                                                 "_selected_action": [registration.pk]})
    registration.refresh_from_db()
    assert registration.status == S.CONFIRMED
