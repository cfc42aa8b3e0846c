"""Stored-XSS probes: script-bearing text saved in every free-text field that is shown back.

Each field gets its own payload (prefixed with its name), so a failure names the field
that leaked. Every page that shows the field is fetched as the role that can see it (the public,
the owner, a clerk in the admin); the page must carry the HTML-escaped text and no live tag.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from accounts.roles import role_permissions_sync
from events.services import registration_create
from matchmaking import services as matchmaking_services
from matchmaking.models import Profile
from notifications.models import Message
from notifications.services import notify
from partners.models import ActivityReport
from programs.models import Application, Program
from tests.events.factories import EventFactory
from tests.matchmaking.factories import attend, make_profile, make_session
from tests.partners.factories import ActivityReportFactory, AgencyFactory, AgreementFactory, ClauseFactory
from tests.programs.factories import ProgramFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db

# Closes a tag and an attribute of either quote, then opens three kinds of script-running tags.
PAYLOAD = """<script>alert(1)</script><img src=x onerror=alert(1)>"'><svg onload=alert(1)>"""

# Anything like these in a page means a payload ran unescaped (the portal has no inline script).
LIVE = [
    re.compile(r"<script>\s*alert", re.I),
    # Within one tag (no quoted attribute in between: an escaped alt="…onerror=…" is harmless).
    re.compile(r"""<img\b[^<>"']*\bonerror\s*=""", re.I),
    re.compile(r"""<svg\b[^<>"']*\bonload\s*=""", re.I),
    re.compile(r"""["']><svg""", re.I),
]


def probe(field: str) -> str:
    """The payload tagged with the field it goes into; 78 characters plus the tag."""
    return f"{field}:{PAYLOAD}"


def assert_escaped(html: str, url: str, *texts: str) -> None:
    for pattern in LIVE:
        match = pattern.search(html)
        assert match is None, f"{url}: unescaped markup {html[max(match.start() - 80, 0) : match.end() + 80]!r}"
    for text in texts:
        assert text not in html, f"{url}: raw payload of {text.split(':')[0]}"
        assert escape(text) in html, f"{url}: the text of {text.split(':')[0]} is not shown (escaped)"


def get_ok(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content.decode()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clerk_client(clerk):
    role_permissions_sync()
    return signed_in(clerk)


@pytest.fixture
def superuser_client(admin_user):
    return signed_in(admin_user)


# --- Programs -----------------------------------------------------------------------------------


def test_program_texts_and_document_names_are_escaped_everywhere(client, citizen, clerk_client):
    texts = {f: probe(f) for f in ("title_ko", "summary_ko", "description_ko", "how_to_apply_ko")}
    texts["office_ko"] = probe("O")  # the office holds 80 characters: a one-letter tag
    program = ProgramFactory(
        slug="xss-probe",
        timeline_anchor=Program.TimelineAnchor.DUE_DATE,
        timeline_start_days=0,
        timeline_end_days=30,
        **texts,
    )
    document_name = probe("document")
    RequiredDocumentFactory(program=program, name_ko=document_name)
    title, summary = texts["title_ko"], texts["summary_ko"]

    pages = {
        "/programs/": (title, summary),
        "/programs/?q=title_ko": (title, summary),
        f"/programs/{program.slug}/": (*texts.values(), document_name),
        "/programs/finder/results/?resident=yes": (title, summary),
        "/programs/timeline/?due_date=2027-03-01": (title, summary),
    }
    for url, shown in pages.items():
        assert_escaped(get_ok(client, url), url, *shown)

    me = signed_in(citizen)
    assert_escaped(get_ok(me, f"/programs/{program.slug}/apply/"), "apply", title, document_name)
    me.post(f"/programs/{program.slug}/apply/", {"save": "1"})  # a saved draft lists the title on /me/
    for url in ("/me/", "/me/applications/"):
        assert_escaped(get_ok(me, url), url, title)

    url = f"/admin/programs/program/{program.pk}/change/"
    assert_escaped(get_ok(clerk_client, url), url, *texts.values(), document_name)
    assert_escaped(get_ok(clerk_client, "/admin/programs/program/"), "program list", title)


def test_application_answers_and_question_labels_are_escaped_for_citizen_and_clerk(citizen, clerk_client):
    label = probe("question")
    program = ProgramFactory(form_questions=[{"key": "child_name", "label_ko": label, "type": "text"}])
    answer = probe("answer")
    me = signed_in(citizen)
    url = f"/programs/{program.slug}/apply/"
    response = me.post(url, {"q_child_name": answer, "save": "1"})
    assert response.status_code == 302
    assert_escaped(get_ok(me, url), url, label, answer)

    response = me.post(url, {"q_child_name": answer, "consent": "on", "submit": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    application = Application.objects.get(program=program, applicant=citizen)
    assert application.answers == {"child_name": answer}  # stored as typed, escaped only on output
    assert_escaped(get_ok(me, application.get_absolute_url()), "my application")

    admin_url = f"/admin/programs/application/{application.pk}/change/"
    assert_escaped(get_ok(clerk_client, admin_url), admin_url, answer)


# --- Events -------------------------------------------------------------------------------------


def test_event_texts_and_question_labels_are_escaped_everywhere(client, citizen, clerk_client):
    texts = {f: probe(f) for f in ("title_ko", "description_ko", "venue", "address")}
    label = probe("question")
    starts = timezone.now() + timedelta(days=3)
    event = EventFactory(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        questions=[{"key": "due_month", "label_ko": label, "required": False}],
        **texts,
    )
    title, venue = texts["title_ko"], texts["venue"]
    local = timezone.localtime(starts)

    pages = {
        f"/events/{event.pk}/": tuple(texts.values()),
        f"/events/?month={local:%Y-%m}": (title, venue),
        f"/events/week/?week={local:%Y-%m-%d}": (title, venue),
        "/events/list/": (title, venue),
    }
    for url, shown in pages.items():
        assert_escaped(get_ok(client, url), url, *shown)

    me = signed_in(citizen)
    assert_escaped(get_ok(me, f"/events/{event.pk}/"), "event page signed in", title, label)
    registration = registration_create(event=event, user=citizen, party_size=1, answers={"due_month": probe("reply")},
                                       consent=True, provision_consent=True)
    assert_escaped(get_ok(me, "/events/my/"), "/events/my/", title, venue)
    assert_escaped(get_ok(me, f"/events/registrations/{registration.pk}/"), "registration", title, venue)

    url = f"/admin/events/event/{event.pk}/change/"
    assert_escaped(get_ok(clerk_client, url), url, *texts.values())
    assert_escaped(get_ok(clerk_client, "/admin/events/event/"), "event list", title)


# --- Partners -----------------------------------------------------------------------------------


def test_agency_names_and_activity_reports_are_escaped_everywhere(client, clerk_client):
    agency_name = probe("agency")
    agency = AgencyFactory(slug="xss-agency", name_ko=agency_name)
    clause = ClauseFactory(agreement=AgreementFactory(), signatories=[agency])
    report_texts = {f: probe(f) for f in ("title", "description", "city_comment")}
    report = ActivityReportFactory(
        agency=agency, clause=clause, status=ActivityReport.Status.ACCEPTED, decided_at=timezone.now(), **report_texts
    )
    title, description = report_texts["title"], report_texts["description"]

    pages = {
        "/partners/": (agency_name, title),
        f"/partners/{agency.slug}/": (agency_name, title, description),
        "/events/": (agency_name,),  # the organiser filter lists the agencies
    }
    for url, shown in pages.items():
        assert_escaped(get_ok(client, url), url, *shown)

    year = timezone.localdate().year
    assert_escaped(get_ok(clerk_client, f"/partners/overview/?year={year}"), "overview", agency_name)
    url = f"/admin/partners/activityreport/{report.pk}/change/"
    assert_escaped(get_ok(clerk_client, url), url, *report_texts.values(), agency_name)
    url = "/admin/partners/activityreport/"
    assert_escaped(get_ok(clerk_client, url), url, title)


# --- Matchmaking --------------------------------------------------------------------------------

# The display name holds at most 30 characters: a closing quote and a live image tag fit.
SHORT_PAYLOAD = """"><img src=x onerror=alert(1)>"""


def test_matchmaking_profile_texts_are_escaped_on_own_page_picks_matches_and_admin(superuser_client):
    intro, interests, contact = probe("intro"), probe("interests")[:200], probe("contact")[:100]
    her = make_profile(display_name=SHORT_PAYLOAD, intro=intro, interests=interests, contact=contact)
    him = make_profile(gender=Profile.Gender.MALE, display_name="오후")
    for field in ("display_name", "intro", "interests"):
        assert getattr(her, field) in (SHORT_PAYLOAD, intro, interests)  # stored as typed

    assert_escaped(get_ok(signed_in(her.user), "/matchmaking/profile/"), "own profile", SHORT_PAYLOAD, intro, interests)

    session = make_session(start_in_days=-0.5)
    attend(session, her, him)
    his = signed_in(him.user)
    assert_escaped(get_ok(his, f"/matchmaking/sessions/{session.pk}/picks/"), "picks", SHORT_PAYLOAD)
    matchmaking_services.pick_submit(session=session, picker=her, picked_ids=[him.pk])
    assert matchmaking_services.pick_submit(session=session, picker=him, picked_ids=[her.pk])  # a match
    assert_escaped(get_ok(his, "/matchmaking/matches/"), "matches", SHORT_PAYLOAD, contact)

    url = f"/admin/matchmaking/profile/{her.pk}/change/"
    assert_escaped(get_ok(superuser_client, url), url, SHORT_PAYLOAD)


# --- Notifications ------------------------------------------------------------------------------


def test_notification_subject_and_body_are_escaped_in_inbox_and_admin(citizen, clerk_client):
    title, text = probe("title")[:100], probe("text")
    notify(
        recipient=citizen, kind="events.organiser_message", context={"title": title, "text": text}, channels=("inapp",)
    )
    message = Message.objects.get(recipient=citizen, channel=Message.Channel.INAPP)
    assert title in message.subject and text in message.body  # plain text as written, escaped on output

    assert_escaped(get_ok(signed_in(citizen), "/me/notifications/"), "inbox", title, text)
    url = f"/admin/notifications/message/{message.pk}/change/"
    assert_escaped(get_ok(clerk_client, url), url, title, text)


def test_the_probe_check_catches_an_unescaped_page():
    """The checker itself: a page with the raw payload fails, the escaped one passes."""
    text = probe("self")
    with pytest.raises(AssertionError):
        assert_escaped(f"<p>{text}</p>", "raw", text)
    assert_escaped(f"<p>{escape(text)}</p>", "escaped", text)
