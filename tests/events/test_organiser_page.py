"""Issue #20, item 11: the organiser's page per event — confirmed, offered (until when) and waiting;
adding, moving or resizing a registration by hand with a logged reason; the history of messages,
scheduled ones included. Only for those who manage the event."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from events import services
from events.models import OrganiserMessage, Registration
from gwangmyeong_portal.models import AccessLogEntry
from notifications.models import Message

from .factories import AgencyFactory, EventFactory, RegistrationFactory, staff_of

pytestmark = pytest.mark.django_db

S = Registration.Status


@pytest.fixture
def setup(db):
    agency = AgencyFactory(slug="police", name_ko="광명경찰서")
    other = AgencyFactory(slug="post", name_ko="광명우체국")
    staff = staff_of(agency, "a.staff@example.com")
    event = EventFactory(title_ko="경찰서 부모 교육", organiser=agency, organiser_office="", capacity=2,
                         waitlist_limit=5, party_size_max=3)
    RegistrationFactory(event=event, user=make_user("c1@example.com", name="확정일"))
    RegistrationFactory(event=event, user=make_user("o1@example.com", name="제안일"), status=S.OFFERED,
                        offer_expires_at=timezone.now() + timedelta(hours=5))
    RegistrationFactory(event=event, user=make_user("w1@example.com", name="대기일"), status=S.WAITLISTED)
    RegistrationFactory(event=event, user=make_user("w2@example.com", name="대기이"), status=S.WAITLISTED)
    return staff, event, other


def url(event):
    return f"/events/{event.pk}/manage/"


def test_the_page_shows_confirmed_offered_until_when_and_waiting_in_order(client, setup):
    staff, event, _ = setup
    client.force_login(staff)
    response = client.get(url(event))
    assert response.status_code == 200
    ctx = response.context
    assert [r.user.name for r in ctx["confirmed"]] == ["확정일"]
    assert [r.user.name for r in ctx["offered"]] == ["제안일"]
    assert [(r.queue_position, r.user.name) for r in ctx["waiting"]] == [(1, "대기일"), (2, "대기이")]
    page = response.content.decode()
    offer = event.registrations.get(status=S.OFFERED)
    assert timezone.localtime(offer.offer_expires_at).strftime("%Y-%m-%d %H:%M") in page
    assert AccessLogEntry.objects.filter(action="view", record_id=f"event:{event.pk}").exists()


@pytest.mark.parametrize("who", ["other_agency", "citizen", "anonymous"])
def test_nobody_else_sees_the_page(client, setup, who):
    _, event, other = setup
    if who == "other_agency":
        client.force_login(staff_of(other, "b.staff@example.com"))
    elif who == "citizen":
        client.force_login(make_user("someone@example.com"))
    response = client.get(url(event))
    assert response.status_code in (404, 302) and "확정일" not in response.content.decode()
    if who != "anonymous":
        assert response.status_code == 404


def test_the_page_costs_the_same_queries_with_more_registrants(client, setup):
    staff, event, _ = setup
    client.force_login(staff)
    client.get(url(event))
    with CaptureQueriesContext(connection) as few:
        client.get(url(event))
    for i in range(6):
        RegistrationFactory(event=event, user=make_user(f"more{i}@example.com"), status=S.WAITLISTED)
    with CaptureQueriesContext(connection) as many:
        client.get(url(event))
    assert len(many) == len(few)


def test_adding_someone_by_hand_needs_a_reason_which_is_logged(client, setup, citizen):
    staff, event, _ = setup
    client.force_login(staff)
    refused = client.post(url(event), {"op": "add", "add-email": citizen.email, "add-party_size": "1",
                                       "add-reason": ""})
    assert refused.status_code == 400 and not event.registrations.filter(user=citizen).exists()
    # The event is full (one confirmed + one offer hold both places): added to the waitlist on purpose.
    response = client.post(url(event), {"op": "add", "add-email": citizen.email, "add-party_size": "1",
                                        "add-waitlist": "on", "add-reason": "전화 신청"}, follow=True)
    assert "김시민님을 추가했습니다" in response.content.decode()
    added = event.registrations.get(user=citizen)
    assert added.status == S.WAITLISTED and added.consent_version.startswith("staff:")
    entry = AccessLogEntry.objects.get(action="change", record_id=str(added.pk))
    assert entry.reason == "전화 신청" and entry.actor == staff
    assert Message.objects.filter(recipient=citizen, kind="events.registration_waitlisted", channel="inapp").exists()


def test_adding_beyond_the_places_without_the_waitlist_is_refused(setup, citizen):
    _, event, _ = setup
    with pytest.raises(ValidationError, match="남은 자리가 없습니다"):
        services.registration_add_by_organiser(event=event, user=citizen, reason="전화")


def test_moving_a_registrant_to_another_session_frees_the_place_for_the_waitlist(client, setup):
    staff, event, _ = setup
    other_session = EventFactory(title_ko="경찰서 부모 교육 2회", organiser=event.organiser, organiser_office="",
                                 type=event.type, starts_at=event.starts_at + timedelta(days=7), capacity=5)
    confirmed = event.registrations.get(status=S.CONFIRMED)
    client.force_login(staff)
    response = client.post(url(event), {"op": "move", "move-registration": confirmed.pk,
                                        "move-to_event": other_session.pk, "move-reason": "본인 요청"}, follow=True)
    assert "옮겼습니다" in response.content.decode()
    confirmed.refresh_from_db()
    assert confirmed.status == S.CANCELLED
    assert other_session.registrations.get(user=confirmed.user).status == S.CONFIRMED
    # The freed place went at once to the first on the waitlist.
    assert event.registrations.get(user__email="w1@example.com").status == S.OFFERED
    assert AccessLogEntry.objects.get(action="change", reason="본인 요청").detail["moved_to"] == other_session.pk


def test_a_smaller_party_offers_the_freed_place_at_once(setup):
    _, event, _ = setup
    event.registrations.filter(status=S.OFFERED).update(status=S.CANCELLED, offer_expires_at=None)
    confirmed = event.registrations.get(status=S.CONFIRMED)
    Registration.objects.filter(pk=confirmed.pk).update(party_size=2)
    services.registration_party_size_change(registration=confirmed, party_size=1, reason="한 명 못 옴")
    assert event.registrations.get(user__email="w1@example.com").status == S.OFFERED
    with pytest.raises(ValidationError, match="남은 자리가 없어"):
        services.registration_party_size_change(registration=confirmed, party_size=3, reason="늘림")


def test_the_message_history_shows_sent_and_scheduled_messages_and_a_scheduled_one_can_be_called_off(
        client, setup):
    staff, event, _ = setup
    client.force_login(staff)
    client.post(url(event), {"op": "message", "message-statuses": ["confirmed"], "message-text": "준비물: 필기구"})
    later = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(url(event), {"op": "message", "message-statuses": ["waitlisted"], "message-text": "대기 안내",
                             "message-send_at": later})
    page = client.get(url(event)).content.decode()
    assert "준비물: 필기구" in page and "대기 안내" in page and "발송 예약" in page
    scheduled = OrganiserMessage.objects.get(text="대기 안내")
    assert scheduled.is_scheduled
    client.post(url(event), {"op": "cancel_message", "message": scheduled.pk})
    scheduled.refresh_from_db()
    assert scheduled.cancelled_at is not None
    # A repeat from the page says when it went instead of claiming success.
    again = client.post(url(event), {"op": "message", "message-statuses": ["confirmed"],
                                     "message-text": "준비물: 필기구"}).content.decode()
    assert "이미 1명에게 보냈습니다" in again
