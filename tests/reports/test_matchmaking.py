"""Matchmaking figures on the dashboard are aggregates only, with counts under 5 suppressed."""

import pytest
from django.urls import reverse

from matchmaking.models import Match, SessionApplication
from tests.matchmaking.factories import attend, make_profile, make_session

from .test_exports import csv_rows


@pytest.fixture
def held_sessions(db):
    """Session A: 6 applied, 5 attended, 2 matches. Session B: 10 applied and attended, 5 matches."""
    small = make_session(start_in_days=-20)
    big = make_session(start_in_days=-10)
    people = [make_profile(gender="female" if n % 2 else "male", contact=f"010-5555-{n:04d}") for n in range(10)]
    attend(small, *people[:5])
    SessionApplication.objects.create(session=small, profile=people[5], status=SessionApplication.Status.NO_SHOW)
    for a, b in ((0, 1), (2, 3)):
        Match.objects.create(session=small, profile_a=people[a], profile_b=people[b])
    attend(big, *people)
    for a, b in ((0, 1), (2, 3), (4, 5), (6, 7), (8, 9)):
        Match.objects.create(session=big, profile_a=people[a], profile_b=people[b])
    return small, big, people


@pytest.mark.django_db
def test_small_counts_are_suppressed(client, clerk, held_sessions):
    client.force_login(clerk)
    response = client.get("/reports/")
    table = next(s["table"] for s in response.context["sections"] if s["table"].key == "matchmaking_sessions")
    # session, date, seats, applications, attended, matches, match rate
    assert [r[3:] for r in table.rows] == [
        [6, 5, "<5", "<5"],   # 2 matches: hidden, and so is the rate built on it
        [10, 10, 5, 100.0],
        # totals: the matches total (7) would give session A's hidden 2 away (7 - 5), so it is
        # withheld, and the rate built on it too
        [16, 15, "—", "—"],
    ]
    chart = table.charts[0]
    assert chart["datasets"][2]["data"] == [None, 5]  # the chart draws nothing for a hidden count


@pytest.mark.django_db
def test_matchmaking_export_is_aggregate_only(client, clerk, held_sessions):
    client.force_login(clerk)
    _small, _big, people = held_sessions
    rows = csv_rows(client.get(reverse("reports:table_export", args=["matchmaking_sessions", "csv"])))
    assert rows[0] == ["회차", "날짜", "자리", "신청", "참석", "매칭", "매칭률(%)"]
    text = "\n".join(",".join(r) for r in rows)
    for profile in people:
        assert profile.display_name not in text and profile.reveal_contact() not in text
        assert profile.user.email not in text
    assert "010-5555" not in text
    # No detail export of the registry exists.
    assert client.get(reverse("reports:detail_export", args=["matchmaking"])).status_code == 404
