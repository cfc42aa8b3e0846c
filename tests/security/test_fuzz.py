"""Hypothesis fuzzing of the public query parameters and the citizen forms: no input is a 500.

Values are arbitrary text — NUL bytes, 100,000-character strings, any Unicode, fragments of SQL
and HTML — in every parameter a page reads, plus the same from signed-in forms. The test client
re-raises a view's exception, so a crash fails with the input that caused it; every answer must
also be below 500. Examples share one database state per test (the pages only read, or write
rows the next example may meet again, as a real user's repeated submissions would).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import role_permissions_sync
from matchmaking import services as matchmaking_services
from notifications.kinds import all_kinds
from programs.eligibility import QUESTION_KEYS
from tests.events.factories import EventFactory
from tests.matchmaking.factories import AgencyEmailDomainFactory, UserFactory, add_email
from tests.partners.factories import ActivityReportFactory, AgencyFactory, ClauseFactory
from tests.programs.factories import ProgramFactory, RequiredDocumentFactory

pytestmark = pytest.mark.django_db

NASTY = [
    "",
    "\x00",
    "a\x00b",
    "%00",
    "' OR 1=1 --",
    "'; DROP TABLE programs_program; --",
    '"><script>alert(1)</script>',
    "<svg onload=alert(1)>",
    "{{ 7*7 }}",
    "{% debug %}",
    "%(name)s",
    "../../etc/passwd",
    "１２３",
    "٣",
    "2027-02-30",
    "2027-13",
    "9999-12-31",
    "0000-01-01",
    "-1",
    "1e309",
    "99999999999999999999999999",
    "NaN",
    "yes",
    "no",
    "1,2,3,,,4",
    "1,\x00,2",
    "city",
    "\u202eevil",
    "😀" * 50,
    "A" * 100_000,
]
# Any text the URL or form encoder can carry (lone surrogates cannot be UTF-8 encoded at all).
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)

FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,  # no .hypothesis folder in the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def params(keys) -> st.SearchStrategy[dict]:
    """Some of ``keys`` (and now and then an unknown one) with arbitrary values."""
    return st.dictionaries(st.sampled_from([*keys, "unknown"]), TEXT, max_size=len(keys) + 1)


def assert_not_5xx(response, what) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"


@pytest.fixture
def catalog_data():
    agency = AgencyFactory(slug="fuzz-agency")
    ActivityReportFactory(agency=agency, clause=ClauseFactory(signatories=[agency]), status="accepted")
    program = ProgramFactory(
        slug="fuzz-program",
        timeline_anchor="due_date",
        timeline_start_days=-30,
        timeline_end_days=60,
        eligibility_rules=[{"field": "age", "op": "between", "value": [19, 39], "label_ko": "19~39세"}],
        form_questions=[
            {"key": "child_name", "label_ko": "아이 이름", "type": "text", "required": True},
            {"key": "children", "label_ko": "자녀 수", "type": "number"},
            {"key": "due", "label_ko": "예정일", "type": "date"},
            {"key": "working", "label_ko": "맞벌이", "type": "yesno"},
        ],
    )
    RequiredDocumentFactory(program=program)
    EventFactory(organiser=agency, questions=[{"key": "note", "label_ko": "메모", "required": True}])
    EventFactory(starts_at=timezone.now() - timedelta(days=3), ends_at=timezone.now() - timedelta(days=3))
    return program


# --- Public pages -------------------------------------------------------------------------------


@FUZZ
@given(query=params(["q", "stage", "tag", "topic", "open", "page"]))
def test_program_catalog(client, catalog_data, query):
    assert_not_5xx(client.get("/programs/", query), query)


@FUZZ
@given(query=params([*QUESTION_KEYS, "step"]))
def test_finder_steps_and_results(client, catalog_data, query):
    assert_not_5xx(client.get("/programs/finder/", query), query)
    assert_not_5xx(client.get("/programs/finder/results/", query), query)


@FUZZ
@given(query=params(["due_date", "birth_date"]))
def test_timeline_page_and_calendar_file(client, catalog_data, query):
    assert_not_5xx(client.get("/programs/timeline/", query), query)
    assert_not_5xx(client.get("/programs/timeline.ics", query), query)


@FUZZ
@given(query=params(["month", "week", "stage", "type", "organiser", "page", "past"]))
def test_event_calendar_views_and_feed(client, catalog_data, query):
    for url in ("/events/", "/events/week/", "/events/list/", "/events/feed.ics"):
        assert_not_5xx(client.get(url, query), (url, query))


@FUZZ
@given(query=params(["year", "page"]), slug=TEXT)
def test_partner_pages(client, catalog_data, clerk, query, slug):
    assert_not_5xx(client.get("/partners/", query), query)
    assert_not_5xx(client.get("/partners/fuzz-agency/", query), query)
    client.force_login(clerk)
    assert_not_5xx(client.get("/partners/overview/", query), query)


# --- Signed-in forms ----------------------------------------------------------------------------


@FUZZ
@given(
    form=params(["q_child_name", "q_children", "q_due", "q_working", "contact_phone", "consent", "doc_1"]),
    button=st.sampled_from(["save", "submit"]),
)
def test_apply_form(client, catalog_data, citizen, form, button):
    client.force_login(citizen)
    assert_not_5xx(client.post("/programs/fuzz-program/apply/", {**form, button: "1"}), form)


@FUZZ
@given(form=params(QUESTION_KEYS))
def test_finder_save(client, citizen, form):
    client.force_login(citizen)
    assert_not_5xx(client.post("/programs/finder/save/", form), form)


@settings(FUZZ, max_examples=12)  # every POST rewrites all preference rows: slower per example
@given(
    form=st.dictionaries(
        st.sampled_from([f"{k.key}__{c}" for k in all_kinds() for c in ("email", "sms")] + ["unknown"]),
        TEXT,
        max_size=8,
    )
)
def test_notification_settings(client, citizen, form):
    client.force_login(citizen)
    assert_not_5xx(client.post("/me/notifications/settings/", form), form)


@FUZZ
@given(form=params(["q_note", "party_size"]))
def test_event_registration_form(client, catalog_data, citizen, form):
    from events.models import Event

    client.force_login(citizen)
    event = Event.objects.get(questions__0__key="note")
    assert_not_5xx(client.post(f"/events/{event.pk}/register/", form), form)


@pytest.fixture
def employee():
    role_permissions_sync()
    AgencyEmailDomainFactory(domain="fuzz.example.go.kr")
    user = UserFactory()
    add_email(user, "fuzz.person@fuzz.example.go.kr")
    return user


@FUZZ
@given(
    consent=params(["required_consent", "optional_consent"]),
    profile=params(
        [
            "display_name",
            "gender",
            "birth_year",
            "show_institution",
            "contact",
            "intro",
            "interests",
            "declared_unmarried",
        ]
    ),
)
def test_matchmaking_consent_and_profile_forms(client, employee, consent, profile):
    client.force_login(employee)
    assert_not_5xx(client.post("/matchmaking/consent/", consent), consent)
    if matchmaking_services.consent_current(user=employee) is None:
        matchmaking_services.consent_record(user=employee, optional_consent=True)
    assert_not_5xx(client.post("/matchmaking/profile/", profile), profile)


# --- Every nasty value in every parameter, deterministically ------------------------------------

SWEEP = {
    "/programs/": ["q", "stage", "tag", "topic", "open", "page"],
    "/programs/finder/": [*QUESTION_KEYS, "step"],
    "/programs/finder/results/": QUESTION_KEYS,
    "/programs/timeline/": ["due_date", "birth_date"],
    "/programs/timeline.ics": ["due_date", "birth_date"],
    "/events/": ["month", "stage", "type", "organiser"],
    "/events/week/": ["week", "stage", "type", "organiser"],
    "/events/list/": ["page", "past", "stage", "type", "organiser"],
    "/events/feed.ics": ["stage", "type", "organiser"],
    "/partners/": ["page"],
}


@pytest.mark.parametrize("url", list(SWEEP))
def test_every_nasty_value_in_every_public_parameter(catalog_data, url):
    client = Client(raise_request_exception=False)
    failures = [
        (key, value[:40]) for key in SWEEP[url] for value in NASTY if client.get(url, {key: value}).status_code >= 500
    ]
    assert not failures, f"{url} answered 500 for {failures}"


# --- What the fixes for the 500s found above look like to a visitor ----------------------------


def test_a_nul_byte_in_the_catalog_search_is_ignored(client, catalog_data):
    response = client.get("/programs/", {"q": "지원\x00", "tag": "\x00"})
    assert response.status_code == 200
    assert catalog_data.title in response.content.decode()


def test_a_date_past_the_calendar_on_the_timeline_is_a_message(client, catalog_data):
    response = client.get("/programs/timeline/", {"due_date": "9999-12-31"})
    assert response.status_code == 200
    assert "1900년부터 2200년 사이의 날짜를 적어 주세요" in response.content.decode()
    assert client.get("/programs/timeline.ics", {"due_date": "9999-12-31"}).status_code == 404
