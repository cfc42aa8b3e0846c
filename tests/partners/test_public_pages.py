"""/partners/ and /partners/<slug>/: the agreement, the agencies and accepted activities only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import ActivityReport

from .factories import ActivityReportFactory, AgencyFactory, ClauseFactory, CommitmentFactory, LectureRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(agency_a, agency_b, clause, staff_a):
    S = ActivityReport.Status
    return {
        "accepted": ActivityReportFactory(agency=agency_a, clause=clause, status=S.ACCEPTED, title="공개된 캠페인"),
        "draft": ActivityReportFactory(agency=agency_a, clause=clause, status=S.DRAFT, title="작성 중 초안"),
        "submitted": ActivityReportFactory(agency=agency_a, clause=clause, status=S.SUBMITTED, title="검토 대기"),
        "returned": ActivityReportFactory(agency=agency_a, clause=clause, status=S.RETURNED, title="반려된 보고",
                                          city_comment="내부 의견"),
    }


def test_index_shows_agreement_agencies_and_only_accepted_activities(client, reports, agency_b, staff_a):
    LectureRequestFactory(agency=reports["draft"].agency, requested_by=staff_a, topic="내부 강의 요청")
    page = client.get("/partners/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "저출산 극복 업무협약" in html and "2017-02-02" in html
    assert "가기관" in html and "나기관" in html and 'href="/partners/agency-b/"' in html
    assert "공개된 캠페인" in html
    for hidden in ("작성 중 초안", "검토 대기", "반려된 보고", "내부 의견", "staff@agency-a", "내부 강의 요청"):
        assert hidden not in html
    assert page.context["clauses"][0]["per_agency"][0][1] == 1  # agency A: one accepted activity


def test_agency_page_shows_commitments_and_accepted_activities(client, reports, agency_a, clause):
    CommitmentFactory(agency=agency_a, clause=clause, text_ko="해마다 캠페인", target_count=2, unit_ko="회")
    html = client.get("/partners/agency-a/").content.decode()
    assert "해마다 캠페인" in html and "공개된 캠페인" in html
    assert "작성 중 초안" not in html and "반려된 보고" not in html
    assert client.get("/partners/no-such-agency/").status_code == 404


def test_index_query_count_does_not_grow_with_activities(client, agency_a, agency_b, clause):
    second = ClauseFactory(agreement=clause.agreement, number=2, signatories=[agency_a, agency_b])
    ActivityReportFactory(agency=agency_a, clause=clause, status=ActivityReport.Status.ACCEPTED)
    with CaptureQueriesContext(connection) as few:
        client.get("/partners/")
    extra = [AgencyFactory() for _ in range(3)]
    for n in range(30):
        ActivityReportFactory(agency=[agency_a, agency_b, *extra][n % 5], clause=[clause, second][n % 2],
                              status=ActivityReport.Status.ACCEPTED)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/partners/")
    assert page.status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    assert sum(item["total"] for item in page.context["clauses"]) == 31


def test_clerk_overview_compares_commitments_with_this_years_activities(client, clerk, staff_a, agency_a, clause):
    from django.utils import timezone

    CommitmentFactory(agency=agency_a, clause=clause, target_count=2, unit_ko="회")
    for _ in range(2):
        ActivityReportFactory(agency=agency_a, clause=clause, status=ActivityReport.Status.ACCEPTED,
                              date=timezone.localdate())
    ActivityReportFactory(agency=agency_a, clause=clause, status=ActivityReport.Status.SUBMITTED,
                          date=timezone.localdate())
    client.force_login(staff_a)
    assert client.get("/partners/overview/").status_code == 403
    client.force_login(clerk)
    page = client.get("/partners/overview/")
    assert page.status_code == 200
    row = next(r for r in page.context["rows"] if r["agency"] == agency_a)
    cell = row["cells"][0]
    assert (cell["accepted"], cell["target"], cell["pending"], cell["met"]) == (2, 2, 1, True)
    client.logout()
    assert client.get("/partners/overview/").status_code == 302
