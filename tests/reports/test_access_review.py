"""The monthly check of the access log: clerks only, and figures a clerk can count by hand.

Times are Seoul time; office hours are 08:00–19:00 on weekdays (the defaults).
"""

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from gwangmyeong_portal.access_log import access_log_record
from gwangmyeong_portal.models import AccessLogEntry

SEOUL = ZoneInfo("Asia/Seoul")
URL = reverse("reports:access_review")


def logged(day: str, hour: int, minute: int = 0, **kwargs) -> AccessLogEntry:
    when = datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=SEOUL)
    with mock.patch("django.utils.timezone.now", return_value=when):
        return access_log_record(**kwargs)


@pytest.fixture
def november(clerk, other_clerk):
    """clerk: a 30-row list (Tue 10:00), a view at 22:30 (Wed), a view on Sunday 11:00, a 12-row export
    (Thu 14:00) and a view at 00:10 on the 1st (a Sunday) → 5 rows, 45 records, 1 export, 3 out of hours.
    other_clerk: one view on Tue 09:00. Outside November (not counted): 31 Oct 23:00 and 1 Dec 00:30."""
    logged("2026-11-03", 10, action="list", actor=clerk, record_type="programs.application",
           detail={"rows": 30, "subjects": []})
    logged("2026-11-04", 22, 30, action="view", actor=clerk, record_type="programs.application", record_id="7")
    logged("2026-11-08", 11, action="view", actor=clerk, record_type="accounts.user", record_id="8")
    logged("2026-11-05", 14, action="export", actor=clerk, record_type="programs.application", reason="월간 보고",
           detail={"rows": 12})
    logged("2026-11-01", 0, 10, action="view", actor=clerk, record_type="accounts.user", record_id="9")
    logged("2026-11-10", 9, action="view", actor=other_clerk, record_type="events.registration", record_id="3")
    logged("2026-10-31", 23, action="view", actor=other_clerk, record_type="x", record_id="oct")
    logged("2026-12-01", 0, 30, action="export", actor=other_clerk, record_type="x", record_id="dec",
           detail={"rows": 999})


@pytest.mark.django_db
def test_only_clerks_open_the_monthly_check(client, clerk, admin_user, staff_a, citizen):
    assert client.get(URL).status_code == 302  # anonymous: to the login page
    for user, status in ((clerk, 200), (admin_user, 200), (staff_a, 403), (citizen, 403)):
        client.force_login(user)
        assert client.get(URL, {"month": "2026-11"}).status_code == status, user.email


@pytest.mark.django_db
def test_the_dashboard_links_the_check_for_clerks_only(client, clerk, staff_a):
    client.force_login(clerk)
    assert URL in client.get(reverse("reports:dashboard")).content.decode()
    client.force_login(staff_a)
    assert URL not in client.get(reverse("reports:dashboard")).content.decode()


@pytest.mark.django_db
def test_figures_per_account_out_of_hours_and_exports(client, clerk, settings, november):
    settings.ACCESS_REVIEW_MAX_RECORDS = 40
    settings.ACCESS_REVIEW_MAX_EXPORTS = 1
    client.force_login(clerk)
    response = client.get(URL, {"month": "2026-11"})
    review = response.context["review"]
    by_email = {a.actor_email: a for a in review.accounts}
    mine, theirs = by_email["clerk@example.com"], by_email["clerk2@example.com"]
    assert (mine.entries, mine.records, mine.exports, mine.out_of_hours) == (5, 45, 1, 3)
    assert (theirs.entries, theirs.records, theirs.exports, theirs.out_of_hours) == (1, 1, 0, 0)
    assert [a.actor_email for a in review.accounts] == ["clerk@example.com", "clerk2@example.com"]
    assert mine.too_many_records and not mine.too_many_exports and not theirs.unusual
    assert [e.record_id for e in review.out_of_hours] == ["9", "7", "8"]
    assert [(e.reason, e.detail["rows"]) for e in review.exports] == [("월간 보고", 12)]
    page = response.content.decode()
    assert "처리량 많음" in page and "업무 시간 밖 접근 3건" in page and "월간 보고" in page
    assert "<td>12</td>" in page  # the export's rows
    assert "dec" not in [e.record_id for e in review.out_of_hours + review.exports]

    settings.ACCESS_REVIEW_MAX_EXPORTS = 0
    review = client.get(URL, {"month": "2026-11"}).context["review"]
    assert next(a for a in review.accounts if a.actor_email == "clerk@example.com").too_many_exports


@pytest.mark.django_db
def test_opening_the_check_is_logged_and_a_bad_month_falls_back(client, clerk, november):
    client.force_login(clerk)
    response = client.get(URL, {"month": "november"})
    assert response.status_code == 200 and "월 값을 이해하지 못해" in response.content.decode()
    entry = AccessLogEntry.objects.filter(record_type="portal.accesslogentry").latest("pk")
    assert entry.action == "view" and entry.actor == clerk and "review_month" in entry.detail


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_log(client, clerk, november):
    client.force_login(clerk)
    client.get(URL, {"month": "2026-11"})
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"month": "2026-11"})
    for n in range(20):
        logged("2026-11-20", 23, action="export", actor=make_user(f"s{n}@example.com", is_staff=True),
               record_type="x", detail={"rows": 1})
    with CaptureQueriesContext(connection) as many:
        client.get(URL, {"month": "2026-11"})
    assert len(many) == len(few)
