"""Contacts are the secret: stored encrypted, and shown only to a mutual match on /matchmaking/matches/.

One world (a held session with a match, a one-sided pick, a registrant who never attended) is
rendered page by page, export by export, admin screen by admin screen, message by message, as every
kind of user; an unmatched person's contact must appear nowhere.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection

from accounts.roles import AGENCY_STAFF
from matchmaking import services
from matchmaking.models import Profile, SessionApplication, Verification
from notifications.models import Message

from .factories import AgencyEmailDomainFactory, attend, make_profile, make_session, verifier_for

pytestmark = pytest.mark.django_db

CONTACTS = {"a": "010-1111-AAAA", "b": "kakao-bbbb-2222", "c": "010-3333-CCCC", "d": "line-dddd-4444"}


@pytest.fixture
def world(clerk, admin_user):
    agency = AgencyEmailDomainFactory(domain="gm.example.go.kr").agency
    verifier = verifier_for(agency)
    session = make_session(start_in_days=-0.2)
    a = make_profile(agency=agency, gender=Profile.Gender.FEMALE, contact=CONTACTS["a"], display_name="하늘")
    b = make_profile(agency=agency, gender=Profile.Gender.MALE, contact=CONTACTS["b"], display_name="바다")
    c = make_profile(agency=agency, gender=Profile.Gender.MALE, contact=CONTACTS["c"], display_name="구름")
    d = make_profile(agency=agency, gender=Profile.Gender.MALE, contact=CONTACTS["d"], display_name="바람")
    attend(session, a, b, c)
    SessionApplication.objects.create(session=session, profile=d, status=SessionApplication.Status.WAITLISTED)
    Verification.objects.create(user=d.user, agency=agency)
    now = session.ends_at + timedelta(hours=1)
    services.pick_submit(session=session, picker=c, picked_ids=[a.pk], now=now)  # one-sided
    services.pick_submit(session=session, picker=a, picked_ids=[b.pk], now=now)
    services.pick_submit(session=session, picker=b, picked_ids=[a.pk], now=now)  # match a-b
    return {"a": a, "b": b, "c": c, "d": d, "session": session, "verifier": verifier, "clerk": clerk,
            "admin": admin_user}


def pages_for(client, user, world) -> dict[str, str]:
    """Every page this user can reach in the registry, their own data export and inbox."""
    client.force_login(user)
    s = world["session"].pk
    urls = ["/matchmaking/", "/matchmaking/consent/", "/matchmaking/profile/", "/matchmaking/sessions/",
            f"/matchmaking/sessions/{s}/picks/", "/matchmaking/matches/", "/matchmaking/leave/",
            "/matchmaking/stats/", "/me/", "/me/data.json", "/me/notifications/"]
    admin_models = ["profile", "verification", "rosterupload", "meetupsession", "sessionapplication", "drawrecord",
                    "consentrecord", "pick", "match"]
    for model in admin_models:
        urls.append(f"/admin/matchmaking/{model}/")
    for key in "abcd":
        urls.append(f"/admin/matchmaking/profile/{world[key].pk}/change/")
    for application in SessionApplication.objects.all():
        urls.append(f"/admin/matchmaking/sessionapplication/{application.pk}/change/")
    urls.append(f"/admin/matchmaking/meetupsession/{s}/change/")
    urls += [f"/admin/matchmaking/verification/{v.pk}/change/" for v in Verification.objects.all()]
    urls += [f"/admin/accounts/user/{world[k].user_id}/change/" for k in "abcd"]
    rendered = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        rendered[url] = body.decode()
    client.logout()
    return rendered


def where(contact: str, rendered: dict[str, str]) -> set[str]:
    return {url for url, text in rendered.items() if contact in text}


def test_the_database_column_holds_no_plaintext_and_decrypts_with_the_key(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM matchmaking_profile")
        raw = repr(cursor.fetchall())
    for plain in CONTACTS.values():
        assert plain not in raw
    assert world["a"].reveal_contact() == CONTACTS["a"]
    assert CONTACTS["a"] not in str(world["a"]) and CONTACTS["a"] not in repr(world["a"])


def test_contacts_appear_only_on_the_matches_page_of_the_match_and_in_ones_own_export(client, world):
    seen: dict[str, set[str]] = {k: set() for k in CONTACTS}
    for who in ("a", "b", "c", "d", "verifier", "clerk", "admin"):
        user = world[who].user if who in "abcd" else world[who]
        rendered = pages_for(client, user, world)
        for key, contact in CONTACTS.items():
            seen[key] |= {f"{who} {url}" for url in where(contact, rendered)}
    assert seen["c"] == {"c /me/data.json"}  # picked someone, matched nobody: only their own export
    assert seen["d"] == {"d /me/data.json"}  # never attended
    assert seen["a"] == {"b /matchmaking/matches/", "a /me/data.json"}
    assert seen["b"] == {"a /matchmaking/matches/", "b /me/data.json"}


def test_no_notification_or_email_carries_a_contact(world, clerk):
    # Run every message-producing step once more: the draw of another session and the retention notice.
    session = make_session()
    services.session_apply(session=session, profile=world["c"], now=session.applications_open_at)
    services.session_draw(session=session, drawn_by=clerk, now=session.applications_close_at)
    world["d"].last_active_at -= timedelta(days=400)
    world["d"].save()
    services.retention_run()
    texts = [f"{m.subject}\n{m.body}\n{m.context}\n{m.link}" for m in Message.objects.all()]
    texts += [f"{e.subject}\n{e.body}" for e in mail.outbox]
    assert Message.objects.filter(kind="matchmaking.match_made").count() >= 2
    assert Message.objects.filter(kind="matchmaking.retention_notice").exists()
    for text in texts:
        for contact in CONTACTS.values():
            assert contact not in text


def test_the_export_holds_neither_the_matchs_contact_nor_who_picked_me(client, world):
    import json

    client.force_login(world["a"].user)
    data = json.loads(client.get("/me/data.json").content)["matchmaking"]
    assert data["profile"]["contact"] == CONTACTS["a"]
    assert data["matches"] == [{"session": world["session"].title, "other_display_name": "바다", "other_left": False}]
    assert "구름" not in json.dumps(data, ensure_ascii=False)  # c picked a; a never learns it
    assert data["picks_made"] == [{"session": world["session"].title, "picked_display_name": "바다"}]


def test_staff_see_no_registrant_and_operators_no_contact_or_birth_year(client, world, admin_user):
    client.force_login(world["verifier"])
    assert world["verifier"].groups.filter(name=AGENCY_STAFF).exists()
    # Their own agency's member: not for them (membership of a dating registry is sensitive).
    response = client.get(f"/admin/matchmaking/profile/{world['a'].pk}/change/")
    assert response.status_code == 403 and "하늘" not in response.content.decode()
    assert client.get("/admin/matchmaking/profile/").status_code == 403
    client.force_login(admin_user)
    page = client.get(f"/admin/matchmaking/profile/{world['a'].pk}/change/").content.decode()
    assert "하늘" in page
    assert str(world["a"].birth_year) not in page
    assert "연락처" not in page
