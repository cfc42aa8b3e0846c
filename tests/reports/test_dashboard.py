"""The dashboard: who may see it, figures that match hand-counted data, agency scoping, constant
query count, and filters that never break the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import selectors
from reports.forms import ReportFilters

from .conftest import PERIOD, applications_bulk

URL = "/reports/"


def tables(client, **query):
    response = client.get(URL, {**PERIOD, **query})
    assert response.status_code == 200
    return {section["table"].key: section["table"] for section in response.context["sections"]}, response


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("reports:table_export", args=["event_fill", "csv"])).status_code == 302


@pytest.mark.django_db
def test_citizen_is_refused(client, citizen):
    client.force_login(citizen)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("reports:table_export", args=["event_fill", "csv"])).status_code == 403
    assert client.get(reverse("reports:detail_export", args=["activities"])).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["clerk", "admin_user"])
def test_clerks_and_superusers_see_every_chart(client, who, request, data):
    client.force_login(request.getfixturevalue(who))
    found, response = tables(client)
    assert list(found) == list(selectors.TABLE_KEYS)
    html = response.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in html and "reports/dashboard.js" in html
    assert 'type="application/json"' in html and "<canvas" in html
    assert '<th scope="col">' in html and "<caption>" in html


@pytest.mark.django_db
def test_application_figures_match_hand_counts(client, clerk, data, whole_counts):
    client.force_login(clerk)
    found, _ = tables(client)
    by_month = found["applications_by_month"]
    keys = [c.key for c in by_month.columns]
    rows = {(r[0], r[1]): dict(zip(keys, r, strict=True)) for r in by_month.rows}
    march = rows[("2025-03", "임신·출산")]
    assert (march["approved"], march["rejected"], march["total"]) == (1, 1, 2)
    april = rows[("2025-04", "임신·출산")]
    assert (april["approved"], april["under_review"], april["total"]) == (1, 1, 2)
    assert rows[("2025-04", "보육·교육")]["submitted"] == 1
    assert sum(r["total"] for r in rows.values()) == 5  # the draft and the 2024 one are not counted
    stage_chart = by_month.charts[0]
    assert stage_chart["labels"][2:4] == ["2025-03", "2025-04"]
    assert stage_chart["datasets"][0]["data"][2:4] == [2, 2]

    decisions = {r[0]: r for r in found["program_decisions"].rows}
    assert decisions["출산 축하금"][2:] == [4, 2, 1, 66.7, 6.0]
    assert decisions["장난감 도서관"][2:] == [1, 0, 0, None, None]


@pytest.mark.django_db
def test_life_stage_filter_applies_to_the_whole_page(client, clerk, data):
    client.force_login(clerk)
    found, _ = tables(client, stage="childcare_education")
    assert [r[0] for r in found["program_decisions"].rows] == ["장난감 도서관"]
    assert found["event_fill"].rows == []  # neither event is tagged with that stage


@pytest.mark.django_db
def test_event_partner_and_lecture_figures(client, clerk, data, whole_counts):
    client.force_login(clerk)
    found, _ = tables(client)
    events = {r[0]: r for r in found["event_fill"].rows}
    # capacity, places taken, attended, waitlisted, fill %, attendance %
    assert events["부부 태교 교실"][2:] == [10, 4, 3, 1, 40.0, 75.0]
    assert events["가기관 강연"][2:] == [5, 1, 1, 0, 20.0, 100.0]
    activities = {(r[0], r[1]): r[2:] for r in found["partner_activities"].rows}
    assert activities == {("가기관", 1): [2, 1, 50], ("나기관", 1): [1, 0, 10], ("나기관", 2): [1, 0, 5]}
    commitments = {(r[0], r[1]): (r[3], r[5], r[6]) for r in found["commitments_progress"].rows}
    assert commitments == {("가기관", 1): (2, 2, "달성"), ("나기관", 1): (1, 1, "달성")}
    lectures = {r[0]: r[1:] for r in found["lecture_dispatches"].rows}
    # requested, scheduled, delivered, declined, cancelled, total, attendance
    assert lectures == {"가기관": [1, 0, 1, 0, 0, 2, 35], "나기관": [0, 0, 0, 1, 0, 1, 0]}


@pytest.mark.django_db
def test_agency_staff_see_only_their_agency(client, staff_a, data):
    client.force_login(staff_a)
    found, response = tables(client)
    assert set(found) == {"event_fill", "partner_activities", "commitments_progress", "lecture_dispatches"}
    assert [r[0] for r in found["event_fill"].rows] == ["가기관 강연"]
    assert {r[0] for r in found["partner_activities"].rows} == {"가기관"}
    assert {r[0] for r in found["commitments_progress"].rows} == {"가기관"}
    assert list({r[0] for r in found["lecture_dispatches"].rows}) == ["가기관"]
    html = response.content.decode()
    assert "나기관" not in html and "부부 태교 교실" not in html and "출산 축하금" not in html
    # City-only tables are not reachable by URL either.
    assert client.get(reverse("reports:table_export", args=["applications_by_month", "csv"])).status_code == 404
    assert client.get(reverse("reports:table_export", args=["matchmaking_sessions", "csv"])).status_code == 404


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_rows(client, clerk, data):
    client.force_login(clerk)
    client.get(URL, PERIOD)  # warm caches (content types, sessions)

    ctx_queries = []

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, PERIOD).status_code == 200
        ctx_queries[:] = ctx.captured_queries
        return len(ctx.captured_queries)

    applications_bulk(data["birth"], data["birth"].applications.first().applicant, 10)
    with_ten = count()
    applications_bulk(data["toys"], data["toys"].applications.first().applicant, 500, day="2025-08-01")
    with_510 = count()
    assert with_ten == with_510
    # Exactly one aggregate query per table; the rest are the session, the user and role checks.
    plumbing = ("django_session", "accounts_user", "auth_group", "notifications_message")
    data_queries = [q["sql"] for q in ctx_queries
                    if not any(f'FROM "{t}"' in q["sql"] for t in plumbing) and "SAVEPOINT" not in q["sql"]
                    and not q["sql"].startswith("UPDATE")]
    assert len(data_queries) == len(selectors.TABLE_KEYS), data_queries


@pytest.mark.django_db
@pytest.mark.parametrize("query", [
    {"start": "not-a-date", "end": "2025-13-45", "stage": "nonsense"},
    {"start": "2025-12-01", "end": "2025-01-01"},
    {"start": "1900-01-01", "end": "2100-01-01"},
    {"unknown": "1", "stage": ["a", "b"]},
    {"start": "2025-02-30"},
    {"start": "\x00", "end": "'; drop table x; --"},
    {"end": "9999-12-31"},  # past the last date Python knows, once widened by a day
    {"start": "9999-12-31"},
    {"start": "0001-01-01", "end": "0001-01-31"},
])
def test_bad_filters_never_break_the_page(client, clerk, data, query):
    client.force_login(clerk)
    response = client.get(URL, query)
    assert response.status_code == 200
    assert response.context["filters"].messages  # a clear message says what was not understood
    assert 'role="alert"' in response.content.decode()
    for key in ("applications_by_month", "event_fill"):
        assert client.get(reverse("reports:table_export", args=[key, "csv"]), query).status_code == 200


def test_end_before_start_falls_back_to_the_default_period():
    filters = ReportFilters.from_query({"start": "2025-12-01", "end": "2025-01-01"})
    default = ReportFilters.from_query({})
    assert (filters.start, filters.end) == (default.start, default.end)
    assert "종료일이 시작일보다 앞섭니다" in filters.messages[0]


@pytest.mark.django_db
def test_empty_period_shows_no_data_and_exports_headers_only(client, clerk):
    client.force_login(clerk)
    response = client.get(URL, {"start": "2030-01-01", "end": "2030-01-31"})
    assert response.status_code == 200 and "이 기간에는 자료가 없습니다" in response.content.decode()
    csv_response = client.get(reverse("reports:table_export", args=["program_decisions", "csv"]),
                              {"start": "2030-01-01", "end": "2030-01-31"})
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert text.strip().splitlines() == ["사업,생애 단계,접수,승인,반려,승인율(%),결정까지 중앙값(일)"]


@pytest.mark.django_db
def test_median_falls_back_to_python_off_postgresql(monkeypatch, clerk, data, whole_counts):
    """SQLite (make run) has no percentile_cont: the median then comes from a values_list."""
    with monkeypatch.context() as m:
        m.setattr(connection, "vendor", "sqlite")
        table = selectors.program_decisions(user=clerk, filters=ReportFilters.from_query(PERIOD))
    assert {r[0]: r[6] for r in table.rows} == {"출산 축하금": 6.0, "장난감 도서관": None}
