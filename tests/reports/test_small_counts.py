"""One small-count rule on every table, chart and export that counts people (threshold in settings).

Hand-countable data, all in 2025 (the tests ask for PERIOD):
- 출산 축하금 (임신·출산): March, 7 approved and 2 rejected, each decided in 5 days.
- 산후 조리 (임신·출산): June, 3 approved (in 5 days) and 3 submitted.
- 장난감 도서관 (보육·교육): March, 6 submitted.
- 작은 교실 (capacity 10): 3 attended. 큰 교실 (capacity 20): 6 attended, 1 waitlisted.
- Agency A: one accepted activity with 3 participants; one delivered lecture with 4 attending.
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from conftest import make_user
from events.models import Registration
from gwangmyeong_portal import small_counts
from partners.models import ActivityReport, LectureRequest
from programs.models import Application, LifeStage
from tests.events.factories import EventFactory, RegistrationFactory
from tests.partners.factories import ActivityReportFactory, ClauseFactory, LectureRequestFactory, LecturerFactory
from tests.programs.factories import ProgramFactory

from .conftest import PERIOD, application, at
from .test_exports import csv_rows, xlsx_rows
from .test_matchmaking import held_sessions  # noqa: F401 - a fixture

URL = reverse("reports:dashboard")
S = Application.Status
STATUSES = [s for s in S if s != S.DRAFT]
MARCH, JUNE = 2, 5  # chart positions of the months in 2025


@pytest.fixture
def crowd(citizen, agencies):
    birth = ProgramFactory(slug="birth", title_ko="출산 축하금", life_stage=LifeStage.PREGNANCY_BIRTH)
    care = ProgramFactory(slug="care", title_ko="산후 조리", life_stage=LifeStage.PREGNANCY_BIRTH)
    toys = ProgramFactory(slug="toys", title_ko="장난감 도서관", life_stage=LifeStage.CHILDCARE_EDUCATION)
    for n in range(7):
        application(birth, citizen, S.APPROVED, f"2025-03-{n + 1:02d}", f"2025-03-{n + 6:02d}")
    for n in range(2):
        application(birth, citizen, S.REJECTED, f"2025-03-{n + 10:02d}", f"2025-03-{n + 15:02d}")
    for n in range(3):
        application(care, citizen, S.APPROVED, f"2025-06-{n + 1:02d}", f"2025-06-{n + 6:02d}")
        application(care, citizen, S.SUBMITTED, f"2025-06-{n + 10:02d}")
    for n in range(6):
        application(toys, citizen, S.SUBMITTED, f"2025-03-{n + 20:02d}")

    small = EventFactory(title_ko="작은 교실", starts_at=at("2025-05-10", 10), capacity=10)
    big = EventFactory(title_ko="큰 교실", starts_at=at("2025-05-17", 10), capacity=20)
    people = iter(make_user(f"crowd{n}@example.com") for n in range(10))
    for event, attended, waiting in ((small, 3, 0), (big, 6, 1)):
        for _ in range(attended):
            RegistrationFactory(event=event, user=next(people), party_size=1, status=Registration.Status.ATTENDED,
                                checked_in_at=event.starts_at)
        for _ in range(waiting):
            RegistrationFactory(event=event, user=next(people), party_size=1, status=Registration.Status.WAITLISTED)

    agency = agencies[0]
    clause = ClauseFactory(number=1, signatories=[agency])
    ActivityReportFactory(agency=agency, clause=clause, date=at("2025-02-01").date(),
                          status=ActivityReport.Status.ACCEPTED, participants=3)
    LectureRequestFactory(agency=agency, status=LectureRequest.Status.DELIVERED, lecturer=LecturerFactory(),
                          preferred_start_1=at("2025-05-01"),
                          scheduled_start=at("2025-05-01"), scheduled_end=at("2025-05-01") + timedelta(hours=2),
                          attendance=4)


def _tables(client, period=PERIOD):
    response = client.get(URL, period)
    return {s["table"].key: s["table"] for s in response.context["sections"]}, response


def _by_label(chart) -> dict[str, list]:
    return {d["label"]: d["data"] for d in chart["datasets"]}


@pytest.mark.django_db
def test_applications_hide_small_cells_and_every_total_that_adds_one_up(client, clerk, crowd):
    client.force_login(clerk)
    table = _tables(client)[0]["applications_by_month"]
    keys = [c.key for c in table.columns]
    rows = {(r[0], r[1]): dict(zip(keys, r, strict=True)) for r in table.rows}
    # One hidden cell: its total would give it away (9 - 7), so the 7 is withheld with it and the
    # total stays.
    march = rows[("2025-03", "임신·출산")]
    assert (march["approved"], march["rejected"], march["submitted"], march["total"]) == ("—", "<5", 0, 9)
    assert (rows[("2025-03", "보육·교육")]["submitted"], rows[("2025-03", "보육·교육")]["total"]) == (6, 6)
    # Two hidden cells adding up to 6: each could be 2, 3 or 4 — the total gives neither away.
    june = rows[("2025-06", "임신·출산")]
    assert (june["approved"], june["submitted"], june["total"]) == ("<5", "<5", 6)

    by_stage, by_status = (_by_label(c) for c in table.charts)
    birth, childcare = str(LifeStage.PREGNANCY_BIRTH.label), str(LifeStage.CHILDCARE_EDUCATION.label)
    # A stage's bar is its row total: hidden with it. 보육·교육 in March has nothing hidden.
    assert (by_stage[birth][MARCH], by_stage[birth][JUNE], by_stage[childcare][MARCH]) == (9, 6, 6)
    # A status's bar adds up the stages of the month: not drawn when one of them is hidden or
    # withheld (the approved bar would give the withheld 7 back, and with it the 2).
    assert by_status[str(S.APPROVED.label)][MARCH] is None
    assert by_status[str(S.REJECTED.label)][MARCH] is None
    assert by_status[str(S.SUBMITTED.label)][MARCH] == 6 and by_status[str(S.SUBMITTED.label)][JUNE] is None
    flat = [v for chart in table.charts for d in chart["datasets"] for v in d["data"] if v is not None]
    assert not [v for v in flat if 0 < v < 5]


@pytest.mark.django_db
def test_decisions_hide_small_counts_and_the_rates_and_medians_built_on_them(client, clerk, crowd):
    client.force_login(clerk)
    table = _tables(client)[0]["program_decisions"]
    rows = {r[0]: r[2:] for r in table.rows}
    # submitted, approved, rejected, approval rate, median days
    assert rows["출산 축하금"] == [9, 7, "<5", "—", 5.0]  # the rate beside 7 approved would give the 2 away
    assert rows["산후 조리"] == [6, "<5", 0, "—", "—"]  # a median of three decisions: hidden
    assert rows["장난감 도서관"] == [6, 0, 0, None, None]
    rates, medians = (_by_label(c) for c in table.charts)
    assert list(rates.values())[0] == [None, None, None]  # 장난감 도서관 decided nothing; the others: hidden
    assert list(medians.values())[0] == [None, None, 5.0]


@pytest.mark.django_db
def test_event_fill_participants_and_lecture_attendance_hide_small_counts(client, clerk, crowd):
    client.force_login(clerk)
    found = _tables(client)[0]
    events = {r[0]: r[2:] for r in found["event_fill"].rows}
    # capacity (public), places taken, attended, waitlisted, fill %, attendance %
    assert events["작은 교실"] == [10, "<5", "<5", 0, "—", "—"]  # 30 % of a capacity of 10 would say 3
    assert events["큰 교실"] == [20, 6, 6, "<5", 30.0, 100.0]
    fill, attendance = found["event_fill"].charts[0]["datasets"]
    assert fill["data"] == [None, 30.0] and attendance["data"] == [None, 100.0]
    assert found["partner_activities"].rows[0][2:] == [1, 0, "<5"]  # reports are work, participants people
    assert found["lecture_dispatches"].rows[0][-1] == "<5"


@pytest.mark.django_db
def test_the_page_marks_hidden_cells_and_explains_them(client, clerk, crowd):
    client.force_login(clerk)
    page = _tables(client)[1].content.decode()
    assert 'title="5 미만은 가립니다"' in page and 'title="가린 칸을 계산해 낼 수 있어 비공개"' in page
    assert "&lt;5" in page


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["applications_by_month", "program_decisions", "event_fill"])
def test_csv_and_xlsx_exports_hold_the_same_hidden_cells(client, clerk, crowd, key):
    client.force_login(clerk)
    table = _tables(client)[0][key]
    shown = [[str(c) if c is not None else "" for c in row] for row in table.rows]
    csv = csv_rows(client.get(reverse("reports:table_export", args=[key, "csv"]), PERIOD))
    assert csv[1:] == shown
    xlsx = xlsx_rows(client.get(reverse("reports:table_export", args=[key, "xlsx"]), PERIOD))
    assert [[c if c not in (None, "") else None for c in row] for row in xlsx[1:]] == table.rows
    hidden = [c for row in csv[1:] for c in row if c in ("<5", "—")]
    assert hidden, "the data has hidden cells in every one of these tables"
    assert not [c for row in csv[1:] for c in row[2:] if c.isdigit() and 0 < int(c) < 5]


@pytest.mark.django_db
def test_the_threshold_comes_from_settings(client, clerk, crowd, settings):
    settings.SMALL_COUNT_THRESHOLD = 8
    client.force_login(clerk)
    found, response = _tables(client)
    rows = {(r[0], r[1]): r for r in found["applications_by_month"].rows}
    assert "<8" in rows[("2025-03", "임신·출산")]  # 7 approved: now small too
    assert {r[0]: r[2] for r in found["program_decisions"].rows}["출산 축하금"] == 9
    assert 'title="8 미만은 가립니다"' in response.content.decode()
    assert small_counts.count(7) is None and small_counts.count(8) == 8 and small_counts.count(0) == 0


@pytest.mark.django_db
def test_the_meetup_figures_follow_the_same_setting(client, clerk, held_sessions, settings):  # noqa: F811
    settings.SMALL_COUNT_THRESHOLD = 2
    client.force_login(clerk)
    table = _tables(client, {})[0]["matchmaking_sessions"]  # the sessions are held in the last 12 months
    # applications, attended, matches, match rate: session A's 2 matches are no longer small
    assert [r[3:] for r in table.rows] == [[6, 5, 2, 80.0], [10, 10, 5, 100.0], [16, 15, 7, 93.3]]
    page = client.get(reverse("matchmaking:stats")).content.decode()
    assert "2 미만" in page


def test_the_rule_itself(settings):
    settings.SMALL_COUNT_THRESHOLD = 5
    assert [small_counts.count(n) for n in (0, 1, 4, 5, None)] == [0, None, None, 5, None]
    assert small_counts.total([0, 0]) == 0 and small_counts.total([5, 6]) == 11
    assert small_counts.total([5, 2]) is None  # 7 would give the 2 away
    assert small_counts.rate(5, 10) == 50.0 and small_counts.rate(3, 10) is None and small_counts.rate(5, 0) is None
    assert small_counts.total_cell([5, 2]) == "—" and small_counts.cell(2) == "<5" and small_counts.cell(0) == 0
    # Several hidden cells: the total is shown unless their sum pins one down (all 1s, or all 4s).
    assert small_counts.total_cell([9, 2, 3]) == 14 and small_counts.total_cell([9, 1, 1]) == "—"
    assert small_counts.total_cell([9, 4, 4]) == "—" and small_counts.total_cell([1, 2, 0]) == "<5"
    assert small_counts.total_cell([0, 0]) == 0
    # Complementary suppression: the smallest shown count that keeps the hidden one uncertain.
    assert small_counts.protect_row([7, 2, 0, 12]) == (["—", "<5", 0, 12], 21)
    assert small_counts.protect_row([5, 1]) == ([5, "<5"], "—")  # 5 + 1: a withheld 5 would pin the 1
    assert small_counts.protect_row([6, 1]) == (["—", "<5"], 7)
    assert small_counts.protect_row([9, 2, 3]) == ([9, "<5", "<5"], 14)
    assert small_counts.protect_row([0, 3, 0]) == ([0, "<5", 0], "<5")  # the total is the small count itself
    assert small_counts.plot(small_counts.cell(2)) is None and small_counts.plot(7) == 7


def test_the_old_names_read_the_one_rule(settings):
    from reports.selectors import SUPPRESS_BELOW, SUPPRESSED, WITHHELD

    assert (SUPPRESS_BELOW, SUPPRESSED, WITHHELD) == (5, "<5", "—")
    settings.SMALL_COUNT_THRESHOLD = 7
    from reports import selectors

    assert selectors.SUPPRESS_BELOW == 7 and selectors.SUPPRESSED == "<7"
