"""The registration form on an event page: party size, the waitlist button, refusals that keep
what was typed, the consent notice, and head counts that read right in the singular."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import make_user
from events.models import Registration
from events.services.registrations import CONSENT_VERSION

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

S = Registration.Status
FULL = "정원과 대기 인원이 모두 찼습니다."
QUESTION = [{"key": "due", "label_ko": "출산 예정 월", "label_en": "Due month", "required": False}]


def _page(client, event):
    response = client.get(f"/events/{event.pk}/")
    assert response.status_code == 200
    return response


def test_party_size_starts_at_one_person(client, citizen):
    event = EventFactory(party_size_max=4)
    client.force_login(citizen)
    form = _page(client, event).context["form"]
    assert form["party_size"].value() == 1
    assert '<option value="1" selected>' in form["party_size"].as_widget()


@pytest.mark.parametrize("waitlist_limit", [0, 1], ids=["no-waitlist", "waitlist-full"])
def test_no_place_and_no_waitlist_place_hides_the_form(client, citizen, waitlist_limit):
    event = EventFactory(capacity=1, waitlist_limit=waitlist_limit)
    RegistrationFactory(event=event, user=make_user("a@example.com"))
    if waitlist_limit:
        RegistrationFactory(event=event, user=make_user("b@example.com"), status=S.WAITLISTED)
    client.force_login(citizen)
    content = _page(client, event).content.decode()
    assert (FULL if waitlist_limit else "정원이 찼습니다.") in content
    assert "대기 신청하기" not in content
    assert f'action="/events/{event.pk}/register/"' not in content


def test_a_full_event_with_room_on_the_waitlist_offers_the_waitlist(client, citizen):
    event = EventFactory(capacity=1, waitlist_limit=3)
    RegistrationFactory(event=event, user=make_user("a@example.com"))
    client.force_login(citizen)
    content = _page(client, event).content.decode()
    assert "대기 신청하기" in content and FULL not in content


def test_a_refused_registration_shows_the_page_again_with_what_was_typed(client, citizen):
    # One waitlist place left but a couple asks for two: the service refuses after the form passed.
    event = EventFactory(capacity=1, waitlist_limit=1, party_size_max=2, questions=QUESTION)
    RegistrationFactory(event=event, user=make_user("a@example.com"))
    client.force_login(citizen)
    response = client.post(f"/events/{event.pk}/register/",
                           {"party_size": "2", "q_due": "2027년 6월", "consent": "on"})
    assert response.status_code == 409  # well-formed, but the event's state refuses it
    content = response.content.decode()
    assert FULL in content
    assert 'value="2027년 6월"' in content
    assert '<option value="2" selected>' in content
    assert not Registration.objects.filter(user=citizen).exists()


def test_an_invalid_form_shows_the_page_again_with_what_was_typed(client, citizen):
    event = EventFactory(questions=QUESTION)
    client.force_login(citizen)
    response = client.post(f"/events/{event.pk}/register/", {"q_due": "2027년 6월"})  # no consent ticked
    assert response.status_code == 400
    content = response.content.decode()
    assert "신청하려면 개인정보 수집·이용에 동의해 주세요." in content
    assert 'value="2027년 6월"' in content
    assert not Registration.objects.exists()


def test_the_form_explains_what_is_collected_and_consent_is_recorded(client, citizen):
    event = EventFactory()
    client.force_login(citizen)
    content = _page(client, event).content.decode()
    assert "개인정보 수집·이용 안내" in content
    assert "이름, 연락처(이메일·휴대전화), 참석 인원, 추가 질문 답변" in content
    assert f"행사가 끝난 뒤 {settings.REGISTRATION_RETENTION_DAYS}일" in content
    assert "동의하지 않으면 이 행사에 신청할 수 없습니다." in content
    assert 'name="consent"' in content

    before = timezone.now()
    response = client.post(f"/events/{event.pk}/register/", {"consent": "on"})
    registration = Registration.objects.get(user=citizen)
    assert response.status_code == 302
    assert registration.consent_version == CONSENT_VERSION
    assert before <= registration.consented_at <= timezone.now()


def test_head_counts_do_not_read_one_people(client):
    umbrella = EventFactory(registration_required=False, capacity=None)
    sub = EventFactory(parent=umbrella, title_ko="부스", capacity=10,
                       starts_at=umbrella.starts_at, ends_at=umbrella.starts_at + timedelta(hours=1))
    RegistrationFactory(event=sub, user=make_user("a@example.com"))
    content = _page(client, umbrella).content.decode()
    assert "정원 10명, 신청 1명" in content
    client.cookies["django_language"] = "en"
    assert "1 people" not in _page(client, umbrella).content.decode()


def test_an_event_a_partner_agency_runs_asks_a_separate_consent_to_provide_the_data(client, citizen):
    """PIPA: giving registrants' data to another body (the organising partner agency) is a consent of
    its own, next to the one for collection; the city's own events ask only the first."""
    from events import services

    from .factories import AgencyFactory

    agency_event = EventFactory(organiser=AgencyFactory(slug="police", name_ko="광명경찰서", is_city=False))
    city_event = EventFactory()
    client.force_login(citizen)
    assert "개인정보 제3자 제공 안내" in _page(client, agency_event).content.decode()
    assert "개인정보 제3자 제공 안내" not in _page(client, city_event).content.decode()

    refused = client.post(f"/events/{agency_event.pk}/register/", {"consent": "on"})
    assert refused.status_code == 400
    assert "주관 기관에 개인정보를 제공하는 데 동의해 주세요" in refused.content.decode()
    assert not Registration.objects.filter(event=agency_event).exists()
    with pytest.raises(ValidationError):
        services.registration_create(event=agency_event, user=citizen, consent=True)

    client.post(f"/events/{agency_event.pk}/register/", {"consent": "on", "provision_consent": "on"})
    registration = Registration.objects.get(event=agency_event, user=citizen)
    assert registration.consent_version == CONSENT_VERSION
    assert registration.consented_at and registration.provision_consented_at

    client.post(f"/events/{city_event.pk}/register/", {"consent": "on"})
    assert Registration.objects.get(event=city_event, user=citizen).provision_consented_at is None


# --- Refused registrations answer 4xx with the portal's own page ----------------------------------

def _portal_page(response) -> str:
    content = response.content.decode()
    assert '<header id="krds-header">' in content and '<main id="main-content"' in content
    return content


def test_a_second_registration_for_the_same_event_is_a_conflict_shown_on_the_event_page(client, citizen):
    event = EventFactory()
    client.force_login(citizen)
    assert client.post(f"/events/{event.pk}/register/", {"consent": "on"}).status_code == 302
    again = client.post(f"/events/{event.pk}/register/", {"consent": "on"})
    assert again.status_code == 409
    content = _portal_page(again)
    assert "이미 이 행사에 신청하셨습니다" in content and 'role="alert"' in content
    assert Registration.objects.filter(user=citizen).count() == 1


def test_registering_for_an_event_with_no_place_and_no_waitlist_place_is_a_conflict(client, citizen):
    event = EventFactory(capacity=1, waitlist_limit=1)
    RegistrationFactory(event=event, user=make_user("a@example.com"))
    RegistrationFactory(event=event, user=make_user("b@example.com"), status=S.WAITLISTED)
    client.force_login(citizen)
    response = client.post(f"/events/{event.pk}/register/", {"consent": "on"})
    assert response.status_code == 409
    content = _portal_page(response)
    assert content.count(FULL) == 1  # the refusal itself, not a second notice beside it
    assert 'role="alert"' in content
    assert not Registration.objects.filter(user=citizen).exists()


@pytest.mark.parametrize("why", ["full", "registered", "cancelled"])
def test_a_refusal_nothing_on_the_form_could_change_is_the_short_page(client, citizen, why):
    """Full, already registered, or an event nobody may register for: the short refusal page (the
    message, the event, the ways on), not the event page again; most answers of an opening rush."""
    event = EventFactory(capacity=1, waitlist_limit=0, status="cancelled" if why == "cancelled" else "scheduled")
    RegistrationFactory(event=event, user=citizen if why == "registered" else make_user("a@example.com"))
    client.force_login(citizen)
    response = client.post(f"/events/{event.pk}/register/", {"consent": "on"})
    assert response.status_code == 409
    assert [t.name for t in response.templates][0] == "events/refused.html"
    content = _portal_page(response)
    message = {"full": "정원이 찼습니다.", "registered": "이미 이 행사에 신청하셨습니다",
               "cancelled": "취소된 행사에는 신청할 수 없습니다."}[why]
    assert 'role="alert"' in content and content.count(message) == 1
    assert f'href="/events/{event.pk}/"' in content and 'href="/events/my/"' in content
    assert "<form" not in content.split('<main id="main-content"')[1]
    assert Registration.objects.filter(user=citizen).count() == (1 if why == "registered" else 0)


def test_a_party_too_large_for_the_places_left_gets_the_form_again_not_the_short_page(client, citizen):
    event = EventFactory(capacity=2, waitlist_limit=0, party_size_max=3)
    RegistrationFactory(event=event, user=make_user("a@example.com"))
    client.force_login(citizen)
    response = client.post(f"/events/{event.pk}/register/", {"party_size": "2", "consent": "on"})
    assert response.status_code == 409
    assert [t.name for t in response.templates][0] == "events/detail.html"
    assert '<option value="2" selected>' in response.content.decode()


def test_registering_outside_the_window_is_a_conflict_and_a_missing_consent_is_a_bad_request(client, citizen):
    closed = EventFactory(registration_closes_at=timezone.now() - timedelta(hours=1),
                          registration_opens_at=timezone.now() - timedelta(days=3))
    client.force_login(citizen)
    response = client.post(f"/events/{closed.pk}/register/", {"consent": "on"})
    assert response.status_code == 409 and "신청 기간이 끝났습니다" in _portal_page(response)
    no_consent = client.post(f"/events/{EventFactory().pk}/register/", {})
    assert no_consent.status_code == 400
    assert "신청하려면 개인정보 수집·이용에 동의해 주세요." in _portal_page(no_consent)
    assert not Registration.objects.exists()
