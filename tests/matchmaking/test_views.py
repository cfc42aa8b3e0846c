"""The citizen-facing pages: consent, profile, sessions, picks, matches; 404 for anything not one's own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from matchmaking import services
from matchmaking.models import ConsentRecord, Match, Pick, Profile
from matchmaking.selectors import city_aggregates

from .factories import AgencyEmailDomainFactory, UserFactory, add_email, attend, make_profile, make_session

pytestmark = pytest.mark.django_db


def test_landing_is_public_and_the_rest_needs_sign_in(client):
    assert client.get("/matchmaking/").status_code == 200
    for url in ("/matchmaking/consent/", "/matchmaking/profile/", "/matchmaking/sessions/", "/matchmaking/matches/",
                "/matchmaking/leave/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_consent_then_profile_through_the_pages(client):
    AgencyEmailDomainFactory(domain="tax.example.go.kr")
    user = UserFactory()
    add_email(user, "choi@tax.example.go.kr")
    client.force_login(user)
    assert client.get("/matchmaking/profile/").status_code == 302  # consent first
    page = client.get("/matchmaking/consent/").content.decode()
    for words in ("수집·이용 목적", "수집 항목", "보유·이용 기간", "동의를 거부할 권리", "선택 항목"):
        assert words in page
    refused = client.post("/matchmaking/consent/", {"optional_consent": "on"})
    assert refused.status_code == 400  # the required consent left out: the page again, as a bad request
    assert "필수 항목에 동의하셔야" in refused.content.decode() and not ConsentRecord.objects.exists()
    client.post("/matchmaking/consent/", {"required_consent": "on"})
    consent = ConsentRecord.objects.get(user=user)
    assert consent.text_version == services.CONSENT_VERSION and not consent.optional_consent
    form_page = client.get("/matchmaking/profile/").content.decode()
    assert 'name="intro"' not in form_page  # optional items not consented: not even asked
    response = client.post("/matchmaking/profile/", {
        "display_name": "새벽", "gender": "female", "birth_year": timezone.localtime().year - 29,
        "contact": "010-9999-0000", "declared_unmarried": "on",
    })
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert profile.reveal_contact() == "010-9999-0000"
    edit = client.get("/matchmaking/profile/").content.decode()
    assert "010-9999-0000" not in edit  # the edit form never echoes the contact


def test_refusal_is_shown_as_a_clear_message(client):
    AgencyEmailDomainFactory(domain="post.example.go.kr")
    user = UserFactory()
    add_email(user, "jung@post.example.go.kr")
    services.consent_record(user=user, optional_consent=True)
    client.force_login(user)
    response = client.post("/matchmaking/profile/", {
        "display_name": "새벽", "gender": "female", "birth_year": timezone.localtime().year - 17,
        "contact": "010-9999-0000", "declared_unmarried": "on",
    }, follow=True)
    assert response.status_code == 409  # well-formed; the registry's rules refuse it
    assert "19세 이상 성인만 참여할 수 있습니다" in response.content.decode()
    assert not Profile.objects.filter(user=user).exists()


def test_picks_page_is_404_for_non_attendees_and_people_without_profile(client, citizen):
    session = make_session(start_in_days=-0.2)
    attendee, outsider = make_profile(), make_profile()
    attend(session, attendee)
    url = f"/matchmaking/sessions/{session.pk}/picks/"
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404
    client.force_login(citizen)
    assert client.get(url).status_code == 404
    assert client.get("/matchmaking/matches/").status_code == 404
    assert client.get("/matchmaking/stats/").status_code == 404
    client.force_login(attendee.user)
    assert client.get(url).status_code == 200


def test_picking_through_the_page(client):
    session = make_session(start_in_days=-0.2)
    a, b = make_profile(), make_profile(gender=Profile.Gender.MALE)
    attend(session, a, b)
    client.force_login(a.user)
    page = client.get(f"/matchmaking/sessions/{session.pk}/picks/").content.decode()
    assert b.display_name in page and str(b.birth_year) not in page
    client.post(f"/matchmaking/sessions/{session.pk}/picks/", {"picked": [str(b.pk)]})
    assert Pick.objects.filter(picker=a, picked=b).exists()
    client.force_login(b.user)
    response = client.post(f"/matchmaking/sessions/{session.pk}/picks/", {"picked": [str(a.pk)]})
    assert response["Location"] == "/matchmaking/matches/"
    assert a.reveal_contact() in client.get("/matchmaking/matches/").content.decode()


def test_apply_through_the_sessions_page(client):
    now = timezone.now()
    session = services.session_create(
        title_ko="가을 만남", starts_at=now + timedelta(days=10), ends_at=now + timedelta(days=10, hours=3),
        applications_open_at=now - timedelta(days=1), applications_close_at=now + timedelta(days=5),
        pick_deadline=now + timedelta(days=13),
    )
    profile = make_profile()
    client.force_login(profile.user)
    assert "가을 만남" in client.get("/matchmaking/sessions/").content.decode()
    client.post(f"/matchmaking/sessions/{session.pk}/apply/")
    assert session.applications.filter(profile=profile).exists()


def test_city_figures_suppress_counts_under_five(client, clerk):
    session = make_session(start_in_days=-0.2, seats_female=5, seats_male=5)
    women = [make_profile() for _ in range(5)]
    men = [make_profile(gender=Profile.Gender.MALE) for _ in range(3)]
    attend(session, *women, *men)
    now = session.ends_at + timedelta(hours=1)
    services.pick_submit(session=session, picker=women[0], picked_ids=[men[0].pk], now=now)
    services.pick_submit(session=session, picker=men[0], picked_ids=[women[0].pk], now=now)
    figures = city_aggregates()
    row = figures["sessions"][0]
    assert row["attended"] == 8 and row["applications"] == 8 and row["seats"] == 10
    assert row["matches"] is None and row["match_rate"] is None  # one match: suppressed
    # A second, bigger session: the matches total would give the first session's hidden count away.
    big = make_session(start_in_days=-1, seats_female=10, seats_male=10)
    pairs = [(make_profile(), make_profile(gender=Profile.Gender.MALE)) for _ in range(5)]
    attend(big, *[p for pair in pairs for p in pair])
    for woman, man in pairs:
        Match.objects.create(session=big, profile_a=woman, profile_b=man)
    figures = city_aggregates()
    assert sorted((r["matches"] for r in figures["sessions"]), key=bool) == [None, 5]
    assert figures["totals"]["matches"] is None and "matches" in figures["totals"]["withheld"]
    assert figures["totals"]["attended"] == 18 and figures["totals"]["match_rate"] is None
    client.force_login(clerk)
    page = client.get("/matchmaking/stats/").content.decode()
    assert "5 미만" in page and "비공개" in page


def test_my_page_links_the_registry_only_for_registrants(client, citizen):
    client.force_login(citizen)
    assert "/matchmaking/matches/" not in client.get("/me/").content.decode()
    profile = make_profile()
    client.force_login(profile.user)
    assert "/matchmaking/matches/" in client.get("/me/").content.decode()


def test_deploy_check_refuses_the_dev_contact_key(settings):
    from matchmaking.checks import DEV_KEY, contact_key_check

    settings.MATCHMAKING_CONTACT_KEY = DEV_KEY
    assert [e.id for e in contact_key_check(None)] == ["matchmaking.E001"]
    settings.MATCHMAKING_CONTACT_KEY = "not-a-key"
    assert [e.id for e in contact_key_check(None)] == ["matchmaking.E002"]
    from cryptography.fernet import Fernet

    settings.MATCHMAKING_CONTACT_KEY = f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    assert contact_key_check(None) == []


def test_contacts_stay_readable_after_key_rotation(settings):
    from cryptography.fernet import Fernet

    from matchmaking.crypto import contact_decrypt, contact_encrypt

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.MATCHMAKING_CONTACT_KEY = old
    token = contact_encrypt("010-5555-6666")
    settings.MATCHMAKING_CONTACT_KEY = f"{new},{old}"
    assert contact_decrypt(token) == "010-5555-6666"
    settings.MATCHMAKING_CONTACT_KEY = new
    assert contact_decrypt(token) == ""
