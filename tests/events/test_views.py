"""Event pages for every role: registering, cancelling, my registrations, QR, check-in and its 404s."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Feedback, Registration
from gwangmyeong_portal.models import AccessLogEntry

from .factories import AgencyFactory, EventFactory, RegistrationFactory, staff_of

pytestmark = pytest.mark.django_db

S = Registration.Status


def test_detail_shows_places_left_and_a_map_link(client):
    event = EventFactory(capacity=30, address="경기도 광명시 오리로 613")
    response = client.get(f"/events/{event.pk}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "30명 / 정원 30명" in content
    assert "https://map.kakao.com/link/search/%EA%B2%BD%EA%B8%B0%EB%8F%84" in content
    assert "로그인하고 신청하기" in content


def test_a_citizen_registers_sees_the_qr_and_my_page_and_cancels(client, citizen):
    event = EventFactory(capacity=5, title_ko="부부 출산교실", party_size_max=2)
    client.force_login(citizen)
    assert client.get(f"/events/{event.pk}/register/").status_code == 405  # POST only
    response = client.post(f"/events/{event.pk}/register/", {"party_size": "2", "consent": "on"})
    registration = Registration.objects.get(user=citizen)
    assert response.status_code == 302 and response["Location"] == f"/events/registrations/{registration.pk}/"
    assert registration.party_size == 2 and registration.status == S.CONFIRMED

    page = client.get(response["Location"]).content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code, inline
    assert "3명 / 정원 5명" in client.get(f"/events/{event.pk}/").content.decode()

    my = client.get("/events/my/").content.decode()
    assert "부부 출산교실" in my and f"/events/{event.pk}/event.ics" in my
    assert f"/events/registrations/{registration.pk}/cancel/" in my

    client.post(f"/events/registrations/{registration.pk}/cancel/")
    registration.refresh_from_db()
    assert registration.status == S.CANCELLED
    my = client.get("/events/my/").content.decode()
    assert "신청을 취소했습니다" in my and f"/events/registrations/{registration.pk}/cancel/" not in my


def test_registration_refusals_come_back_on_the_page_not_as_errors(client, citizen):
    event = EventFactory(status="cancelled")
    client.force_login(citizen)
    response = client.post(f"/events/{event.pk}/register/", {"consent": "on"})
    assert response.status_code == 409
    assert "취소된 행사에는 신청할 수 없습니다" in response.content.decode()
    assert not Registration.objects.exists()
    # Party size outside the choices is a form error, not a 500.
    open_event = EventFactory(party_size_max=2)
    response = client.post(f"/events/{open_event.pk}/register/", {"party_size": "9", "consent": "on"})
    assert response.status_code == 400 and not Registration.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client):
    event = EventFactory()
    response = client.post(f"/events/{event.pk}/register/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/events/my/").status_code == 302


def test_someone_elses_registration_is_404(client, citizen, other_citizen):
    registration = RegistrationFactory(user=citizen)
    client.force_login(other_citizen)
    assert client.get(f"/events/registrations/{registration.pk}/").status_code == 404
    assert client.post(f"/events/registrations/{registration.pk}/cancel/").status_code == 404
    assert client.get(f"/events/registrations/{registration.pk}/feedback/").status_code == 404
    registration.refresh_from_db()
    assert registration.status == S.CONFIRMED


@pytest.fixture
def two_agencies(db):
    a, b = AgencyFactory(slug="police"), AgencyFactory(slug="post")
    staff_a = staff_of(a, "a.staff@example.com")
    event_b = EventFactory(organiser=b, organiser_office="")
    return a, b, staff_a, event_b


def test_agency_staff_cannot_see_another_agencys_attendees(client, two_agencies, citizen):
    agency_a, _, staff_a, event_b = two_agencies
    registration = RegistrationFactory(event=event_b, user=citizen)
    client.force_login(staff_a)
    assert client.get(f"/events/{event_b.pk}/check-in/").status_code == 404
    assert client.get(f"/events/{event_b.pk}/check-in/?q=김").status_code == 404
    assert client.get(f"/events/{event_b.pk}/check-in/counts.json").status_code == 404
    assert client.post(f"/events/{event_b.pk}/check-in/", {"token": registration.token}).status_code == 404
    registration.refresh_from_db()
    assert registration.status == S.CONFIRMED
    # Their own agency's event works.
    own = EventFactory(organiser=agency_a, organiser_office="")
    RegistrationFactory(event=own, user=citizen)
    assert client.get(f"/events/{own.pk}/check-in/?q=김시민").status_code == 200


def test_citizens_and_staff_without_the_capability_get_404_on_check_in(client, citizen, two_agencies):
    _, agency_b, _, event_b = two_agencies
    client.force_login(citizen)
    assert client.get(f"/events/{event_b.pk}/check-in/").status_code == 404
    no_flag = staff_of(agency_b, "b.staff@example.com", can_manage_events=False)
    client.force_login(no_flag)
    assert client.get(f"/events/{event_b.pk}/check-in/").status_code == 404
    client.logout()
    assert client.get(f"/events/{event_b.pk}/check-in/").status_code == 302


def test_check_in_by_name_and_by_scanned_qr_updates_the_count(client, clerk, citizen, other_citizen):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=1))
    first = RegistrationFactory(event=event, user=citizen)
    second = RegistrationFactory(event=event, user=other_citizen, party_size=2)
    client.force_login(clerk)
    page = client.get(f"/events/{event.pk}/check-in/?q=김시민").content.decode()
    assert "김시민" in page and "이타인" not in page
    assert 'src="/static/events/checkin.js"' in page and "<script>" not in page  # no inline script (CSP)
    assert AccessLogEntry.objects.filter(action="view", record_type="events.registration").exists()

    client.post(f"/events/{event.pk}/check-in/", {"registration": first.pk, "q": "김시민"})
    assert client.get(f"/events/{event.pk}/check-in/counts.json").json() == {
        "attended": 1, "attended_people": 1, "expected": 2}

    # The QR code opens the page with the token; staff confirm with one button.
    scanned = client.get(f"/events/{event.pk}/check-in/?token={second.token}").content.decode()
    assert "이타인" in scanned
    client.post(f"/events/{event.pk}/check-in/", {"token": second.token})
    assert client.get(f"/events/{event.pk}/check-in/counts.json").json()["attended_people"] == 3
    second.refresh_from_db()
    assert second.status == S.ATTENDED


def test_a_registrant_who_did_not_come_cannot_post_feedback_through_the_url(client, citizen):
    now = timezone.now()
    event = EventFactory(starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1))
    registration = RegistrationFactory(event=event, user=citizen)  # confirmed, never checked in
    client.force_login(citizen)
    url = f"/events/registrations/{registration.pk}/feedback/"
    assert 'name="rating"' not in client.get(url, follow=True).content.decode()
    response = client.post(url, {"rating": "1", "comment": "안 갔지만"}, follow=True)
    assert "입장이 확인된 참석자만" in response.content.decode()
    assert not Feedback.objects.exists()


def test_feedback_form_after_the_event(client, citizen):
    now = timezone.now()
    event = EventFactory(starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1))
    registration = RegistrationFactory(event=event, user=citizen, status=Registration.Status.ATTENDED,
                                       checked_in_at=now - timedelta(hours=2))
    client.force_login(citizen)
    assert client.get(f"/events/registrations/{registration.pk}/feedback/").status_code == 200
    response = client.post(f"/events/registrations/{registration.pk}/feedback/", {"rating": "4", "comment": "유익"})
    assert response.status_code == 302
    assert registration.feedback.rating == 4


def test_unknown_event_is_404_and_unpublished_is_hidden(client):
    assert client.get("/events/999999/").status_code == 404
    hidden = EventFactory(is_public=False)
    assert client.get(f"/events/{hidden.pk}/").status_code == 404


def test_my_page_has_an_events_section(client, citizen):
    RegistrationFactory(user=citizen)
    client.force_login(citizen)
    content = client.get("/me/").content.decode()
    assert "/events/my/" in content
