"""Who on the staff sees what of the registry (issue 14.1), for every staff role on every matchmaking
changelist, change page, list filter and autocomplete endpoint.

- An agency's verifier sees only the verification requests waiting for them: name, workplace, the
  claim — no e-mail, nothing else of the registry, and nothing after deciding.
- Agency staff without the capability, and another agency's verifier, see nothing of it.
- Clerks run sessions, draws and attendance: they see sessions, draw records and a session's
  applicants by activity name and gender, never who they are (name, e-mail) nor any verification.
- Superusers (operators) see everything.
"""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import AGENCY_STAFF
from matchmaking import services
from matchmaking.models import MeetupSession, RosterUpload, SessionApplication, Verification
from partners.models import AgencyMembership

from .factories import AgencyFactory, UserFactory, make_profile, make_session, verifier_for

pytestmark = pytest.mark.django_db

ADMIN = "/admin/matchmaking"


@pytest.fixture
def world(clerk, admin_user):
    police = AgencyFactory(name_ko="경찰서가", slug="mm-police")
    post = AgencyFactory(name_ko="우체국가", slug="mm-post")
    verifier = verifier_for(police, "verifier@police.example")
    plain_staff = UserFactory(email="plain@police.example", name="일반직원가", is_staff=True)
    plain_staff.groups.add(Group.objects.get_or_create(name=AGENCY_STAFF)[0])
    AgencyMembership.objects.create(user=plain_staff, agency=police, can_verify_employees=False)
    other_verifier = verifier_for(post, "verifier@post.example")

    # A member verified by work mail: no verifier was ever involved.
    by_mail = make_profile(agency=police, display_name="메일회원활동명")
    by_mail.user.name, by_mail.user.email = "메일회원실명", "mailmember@private.example"
    by_mail.user.save()
    # Waiting for the police verifier.
    pending = services.verification_request(user=UserFactory(name="대기자실명", email="pending@private.example"),
                                            agency=police)
    # Confirmed by the verifier, then joined.
    confirmed_user = UserFactory(name="확인회원실명", email="confirmed@private.example")
    confirmed = services.verification_request(user=confirmed_user, agency=police)
    services.verification_decide(verification=confirmed, staff=verifier, confirm=True)
    services.consent_record(user=confirmed_user, optional_consent=False)
    joined = services.profile_create(user=confirmed_user, display_name="확인회원활동명", gender="male",
                                     birth_year=timezone.localtime().year - 30, contact="010-5555-0000",
                                     declared_unmarried=True)
    # A member who asked the verifier too but got in by mail meanwhile: the stale request is not shown.
    stale = services.verification_request(user=by_mail.user, agency=police)

    session = make_session(start_in_days=5)
    for profile in (by_mail, joined):
        services.session_apply(session=session, profile=profile, now=session.applications_open_at)
    MeetupSession.objects.filter(pk=session.pk).update(applications_close_at=timezone.now() - timedelta(minutes=1),
                                                       applications_open_at=timezone.now() - timedelta(days=2))
    record = services.session_draw(session=session, drawn_by=clerk)
    roster = services.roster_import(agency=police, uploaded_by=verifier,
                                    file=SimpleUploadedFile("r.csv", b"someone@police.example\n"))
    return {
        "police": police, "post": post, "verifier": verifier, "plain_staff": plain_staff,
        "other_verifier": other_verifier, "clerk": clerk, "admin": admin_user,
        "by_mail": by_mail, "joined": joined, "pending": pending, "confirmed": confirmed, "stale": stale,
        "session": session, "record": record, "roster": roster,
        "application": SessionApplication.objects.filter(session=session).first(),
    }


IDENTITIES = ("메일회원실명", "mailmember@private.example", "확인회원실명", "confirmed@private.example",
              "대기자실명", "pending@private.example")
DISPLAY_NAMES = ("메일회원활동명", "확인회원활동명")


def admin_urls(w) -> list[str]:
    s, police = w["session"].pk, w["police"].pk
    changelists = [f"{ADMIN}/{m}/" for m in ("profile", "verification", "rosterupload", "meetupsession",
                                              "sessionapplication", "drawrecord")]
    change_pages = [
        f"{ADMIN}/profile/{w['by_mail'].pk}/change/", f"{ADMIN}/profile/{w['joined'].pk}/change/",
        f"{ADMIN}/verification/{w['pending'].pk}/change/", f"{ADMIN}/verification/{w['confirmed'].pk}/change/",
        f"{ADMIN}/verification/{w['stale'].pk}/change/", f"{ADMIN}/rosterupload/{w['roster'].pk}/change/",
        f"{ADMIN}/meetupsession/{s}/change/", f"{ADMIN}/sessionapplication/{w['application'].pk}/change/",
        f"{ADMIN}/drawrecord/{w['record'].pk}/change/",
    ]
    filters = [
        f"{ADMIN}/profile/?verification_method__exact=email_domain",
        f"{ADMIN}/profile/?institution__id__exact={police}",
        f"{ADMIN}/profile/?q=실명",
        f"{ADMIN}/verification/?status__exact=confirmed", f"{ADMIN}/verification/?agency__id__exact={police}",
        f"{ADMIN}/verification/?q=실명", f"{ADMIN}/verification/?q=private.example",
        f"{ADMIN}/sessionapplication/?session__id__exact={s}", f"{ADMIN}/sessionapplication/?status__exact=selected",
        f"{ADMIN}/sessionapplication/?q=활동명", f"{ADMIN}/rosterupload/?agency__id__exact={police}",
        f"{ADMIN}/meetupsession/?q=만남", f"{ADMIN}/drawrecord/?q=만남",
    ]
    return changelists + change_pages + filters


def autocomplete_urls() -> list[str]:
    """Every foreign key of every matchmaking model, with an empty term and with a name's part."""
    urls = []
    for model in apps.get_app_config("matchmaking").get_models():
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and (field.many_to_one or field.one_to_one):
                for term in ("", "실명", "private"):
                    urls.append(f"/admin/autocomplete/?app_label=matchmaking&model_name={model._meta.model_name}"
                                f"&field_name={field.name}&term={term}")
    return urls


def fetch(client, user, urls) -> dict[str, tuple[int, str]]:
    client.force_login(user)
    return {url: (r.status_code, r.content.decode()) for url in urls for r in [client.get(url)]}


def leaks(pages, needles) -> set[tuple[str, str]]:
    return {(url, n) for url, (_code, body) in pages.items() for n in needles if n in body}


USER_BASELINE = "/admin/autocomplete/?app_label=events&model_name=registration&field_name=user&term={term}"


def test_every_matchmaking_autocomplete_gives_nothing_beyond_what_the_role_sees_elsewhere(client, world):
    """An autocomplete to the user list is the accounts admin's business (the same answer as any
    other user field); every other one shows no registry member to anyone but an operator."""
    for role in ("verifier", "plain_staff", "other_verifier", "clerk"):
        client.force_login(world[role])
        for url in autocomplete_urls():
            response = client.get(url)
            body = response.content.decode()
            if "field_name=user&" in url or "_by&" in url:
                term = url.rsplit("term=", 1)[1]
                baseline = client.get(USER_BASELINE.format(term=term))
                assert response.status_code == baseline.status_code, (role, url)
                if response.status_code == 200:
                    assert response.json() == baseline.json(), (role, url)
                continue
            assert not [n for n in IDENTITIES + DISPLAY_NAMES if n in body], (role, url)
            assert "profile #" not in body and "verification #" not in body, (role, url)


def test_profile_autocomplete_answers_operators_only(client, world):
    url = "/admin/autocomplete/?app_label=matchmaking&model_name=pick&field_name=picked&term=실명"
    for role in ("verifier", "plain_staff", "other_verifier", "clerk"):
        client.force_login(world[role])
        assert client.get(url).status_code == 403, role
    client.force_login(world["admin"])
    response = client.get(url)
    assert response.status_code == 200 and len(response.json()["results"]) == 2


def test_the_verifier_sees_only_the_requests_waiting_for_them_name_workplace_and_claim(client, world):
    pages = fetch(client, world["verifier"], admin_urls(world))
    allowed = {"대기자실명"}
    assert leaks(pages, set(IDENTITIES + DISPLAY_NAMES) - allowed) == set()
    listing = pages[f"{ADMIN}/verification/"][1]
    assert "대기자실명" in listing and "경찰서가에 재직 중이라며 확인을 요청했습니다." in listing
    code, change_page = pages[f"{ADMIN}/verification/{world['pending'].pk}/change/"]
    assert code == 200 and "대기자실명" in change_page and 'name="_save"' not in change_page
    for url in (f"{ADMIN}/verification/{world['confirmed'].pk}/change/",
                f"{ADMIN}/verification/{world['stale'].pk}/change/"):
        assert pages[url][0] in (302, 404)  # "does not exist" for them
    for model in ("profile", "meetupsession", "sessionapplication", "drawrecord"):
        assert pages[f"{ADMIN}/{model}/"][0] == 403, model
    assert pages[f"{ADMIN}/rosterupload/"][0] == 200


def test_once_decided_a_request_is_gone_from_the_verifiers_view(client, world):
    client.force_login(world["verifier"])
    client.post(f"{ADMIN}/verification/", {"action": "confirm", "_selected_action": [world["pending"].pk]})
    world["pending"].refresh_from_db()
    assert world["pending"].status == Verification.Status.CONFIRMED
    assert "대기자실명" not in client.get(f"{ADMIN}/verification/").content.decode()
    assert client.get(f"{ADMIN}/verification/{world['pending'].pk}/change/").status_code in (302, 404)


@pytest.mark.parametrize("role", ["plain_staff", "other_verifier"])
def test_other_agency_staff_see_nothing_of_the_registry(client, world, role):
    pages = fetch(client, world[role], admin_urls(world))
    assert leaks(pages, IDENTITIES + DISPLAY_NAMES) == set()
    for model in ("profile", "meetupsession", "sessionapplication", "drawrecord"):
        assert pages[f"{ADMIN}/{model}/"][0] == 403, model
    expected = 403 if role == "plain_staff" else 200
    assert pages[f"{ADMIN}/verification/"][0] == expected
    assert pages[f"{ADMIN}/rosterupload/"][0] == expected
    index = client.get("/admin/").content.decode()
    assert ("/admin/matchmaking/" in index) is (role == "other_verifier")


def test_clerks_see_applicants_by_activity_name_only(client, world):
    pages = fetch(client, world["clerk"], admin_urls(world))
    assert leaks(pages, IDENTITIES) == set()
    for model in ("profile", "verification", "rosterupload"):
        assert pages[f"{ADMIN}/{model}/"][0] == 403, model
    for model in ("meetupsession", "sessionapplication", "drawrecord"):
        assert pages[f"{ADMIN}/{model}/"][0] == 200, model
    assert "메일회원활동명" in pages[f"{ADMIN}/sessionapplication/"][1]


def test_operators_see_everything(client, world):
    pages = fetch(client, world["admin"], admin_urls(world)[:15])
    assert all(code == 200 for code, _body in pages.values()), {u: c for u, (c, _b) in pages.items() if c != 200}
    assert "mailmember@private.example" in pages[f"{ADMIN}/profile/"][1]
    assert "confirmed@private.example" in pages[f"{ADMIN}/verification/"][1]


def test_admin_column_headers_are_korean(client, world):
    """No English default headers (Pk, User, Session …) on the Korean screens."""
    client.force_login(world["admin"])
    for model in ("profile", "verification", "rosterupload", "meetupsession", "sessionapplication", "drawrecord"):
        body = client.get(f"{ADMIN}/{model}/").content.decode()
        for english in (">Pk<", ">User<", ">Session<", ">Agency<", ">Drawn by<", ">Created at<", ">Profile<"):
            assert english not in body, (model, english)
    assert RosterUpload.objects.exists()


def test_admin_column_headers_and_filters_are_english_in_english(client, world):
    """Every column header and filter title of the matchmaking changelists has an English translation."""
    import re

    client.force_login(world["admin"])
    client.cookies["django_language"] = "en"
    for model in ("profile", "verification", "rosterupload", "meetupsession", "sessionapplication", "drawrecord"):
        body = client.get(f"{ADMIN}/{model}/").content.decode()
        headers = re.findall(r'<th scope="col"[^>]*>.*?<div class="text">(.*?)</div>', body, re.S)
        filters = re.findall(r"<summary>\s*(.*?)\s*</summary>", body, re.S)
        assert headers and (filters or model in ("meetupsession", "drawrecord")), model
        labels = [re.sub(r"<[^>]+>", "", h).strip() for h in headers + filters]
        assert [x for x in labels if re.search("[가-힣]", x)] == [], model
