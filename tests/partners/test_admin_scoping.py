"""Every partners admin page for every role: staff of agency A, staff of agency B, a clerk, a citizen
and an anonymous visitor. Another agency's object id answers 404; exports hold only visible rows."""

import pytest
from django.contrib import admin as django_admin
from django.urls import reverse

from gwangmyeong_portal.models import AccessLogEntry
from partners.models import ActivityReport, Agency, LectureRequest
from tests.files import PDF

from .factories import ActivityReportFactory, LectureRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(agency_a, clause, staff_a):
    """One row of each scoped kind belonging to agency A."""
    return {
        "activityreport": ActivityReportFactory(agency=agency_a, clause=clause, title="가기관 비공개 보고"),
        "lecturerequest": LectureRequestFactory(agency=agency_a, topic="가기관 강의 요청"),
        "agencymembership": staff_a.agency_membership,
    }


MARKERS = {"activityreport": "가기관 비공개 보고", "lecturerequest": "가기관 강의 요청"}


@pytest.fixture
def as_role(client, staff_a, staff_b, clerk, citizen, roles):
    users = {"staff_a": staff_a, "staff_b": staff_b, "clerk": clerk, "citizen": citizen, "anonymous": None}

    def login(role):
        client.logout()
        if users[role] is not None:
            client.force_login(users[role])
        return client

    return login


SEES_A = {"staff_a": True, "staff_b": False, "clerk": True}


@pytest.mark.parametrize("model", ["activityreport", "lecturerequest", "agencymembership"])
@pytest.mark.parametrize("role", ["staff_a", "staff_b", "clerk", "citizen", "anonymous"])
def test_changelist_and_change_view_are_scoped(as_role, objects, model, role):
    client = as_role(role)
    obj = objects[model]
    listing = client.get(f"/admin/partners/{model}/")
    change = client.get(f"/admin/partners/{model}/{obj.pk}/change/")
    if role in ("citizen", "anonymous"):
        assert listing.status_code == 302 and "/admin/login/" in listing["Location"]
        assert change.status_code == 302 and "/admin/login/" in change["Location"]
        return
    assert listing.status_code == 200
    assert (f"/admin/partners/{model}/{obj.pk}/change/" in listing.content.decode()) is SEES_A[role]
    assert change.status_code == (200 if SEES_A[role] else 404)


@pytest.mark.parametrize("model", ["activityreport", "lecturerequest"])
@pytest.mark.parametrize("role", ["staff_a", "staff_b", "clerk", "citizen", "anonymous"])
def test_export_is_scoped_and_logged(as_role, objects, model, role):
    client = as_role(role)
    response = client.post(f"/admin/partners/{model}/export/", {"reason": "월간 이행 점검"})
    if role in ("citizen", "anonymous"):
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert not AccessLogEntry.objects.filter(action="export").exists()
        return
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert (MARKERS[model] in body) is SEES_A[role]
    entry = AccessLogEntry.objects.get(action="export")
    assert entry.reason == "월간 이행 점검" and entry.record_type == f"partners.{model}"


def test_export_asks_for_a_reason_first(as_role, objects):
    client = as_role("clerk")
    page = client.get("/admin/partners/activityreport/export/")
    assert page.status_code == 200 and "내려받는 사유" in page.content.decode()
    assert client.post("/admin/partners/activityreport/export/", {"reason": ""}).status_code == 200
    assert not AccessLogEntry.objects.filter(action="export").exists()


@pytest.mark.parametrize("model", ["lecturer", "commitment", "agreement"])
def test_city_only_pages_are_closed_to_agency_staff(as_role, model):
    assert as_role("staff_a").get(f"/admin/partners/{model}/").status_code == 403
    assert as_role("clerk").get(f"/admin/partners/{model}/").status_code == 200


def test_staff_report_gets_their_agency_and_a_clause_they_did_not_sign_is_refused(as_role, agency_b, clause):
    from .factories import ClauseFactory

    unsigned = ClauseFactory(agreement=clause.agreement, number=2, signatories=[agency_b])
    client = as_role("staff_a")
    form = {"date": "2017-03-08", "title": "캠페인", "description": "내용", "participants": "10",
            "evidence-TOTAL_FORMS": "0", "evidence-INITIAL_FORMS": "0"}
    page = client.get("/admin/partners/activityreport/add/").content.decode()
    assert f'value="{unsigned.pk}"' not in page  # only signed clauses are offered
    refused = client.post("/admin/partners/activityreport/add/", {**form, "clause": unsigned.pk})
    assert refused.status_code == 200 and not ActivityReport.objects.exists()
    ok = client.post("/admin/partners/activityreport/add/", {**form, "clause": clause.pk})
    assert ok.status_code == 302
    assert ActivityReport.objects.get().agency.slug == "agency-a"


def test_staff_cannot_set_status_through_the_form(as_role, objects):
    report = objects["activityreport"]
    client = as_role("staff_a")
    client.post(f"/admin/partners/activityreport/{report.pk}/change/", {
        "clause": report.clause_id, "date": "2017-03-08", "title": "고침", "description": "d", "participants": "1",
        "status": "accepted", "evidence-TOTAL_FORMS": "0", "evidence-INITIAL_FORMS": "0"})
    report.refresh_from_db()
    assert report.title == "고침" and report.status == ActivityReport.Status.DRAFT


def test_bad_evidence_renamed_pdf_is_refused_in_the_admin(as_role, objects):
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = objects["activityreport"]
    client = as_role("staff_a")
    response = client.post(f"/admin/partners/activityreport/{report.pk}/change/", {
        "clause": report.clause_id, "date": "2017-03-08", "title": report.title, "description": "d",
        "participants": "1", "evidence-TOTAL_FORMS": "1", "evidence-INITIAL_FORMS": "0",
        "evidence-0-file": SimpleUploadedFile("증빙.pdf", b"GIF89a not a pdf", content_type="application/pdf")})
    assert response.status_code == 200
    assert "허용 형식" in response.content.decode()
    assert not report.evidence.exists()


def test_clerk_returns_with_a_comment_through_the_action(as_role, objects, staff_a):
    from partners import services

    report = objects["activityreport"]
    services.activity_report_submit(report=report, actor=staff_a)
    client = as_role("clerk")
    page = client.post("/admin/partners/activityreport/", {"action": "return_reports", "_selected_action": [report.pk]})
    assert "반려 사유" in page.content.decode()
    client.post("/admin/partners/activityreport/", {"action": "return_reports", "_selected_action": [report.pk],
                                                    "apply": "1", "comment": "사진을 붙여 주세요."})
    report.refresh_from_db()
    assert report.status == ActivityReport.Status.RETURNED and report.city_comment == "사진을 붙여 주세요."


def test_staff_request_a_lecture_in_the_admin_and_past_dates_are_refused(as_role, staff_a):
    from .factories import future

    client = as_role("staff_a")
    form = {"audience": "staff", "expected_size": "30", "venue": "회의실", "topic": "인구교육", "note": ""}
    refused = client.post("/admin/partners/lecturerequest/add/", {
        **form, "preferred_start_1_0": "2016-01-01", "preferred_start_1_1": "10:00"})
    assert refused.status_code == 200 and "지나간 일시" in refused.content.decode()
    when = future(10)
    ok = client.post("/admin/partners/lecturerequest/add/", {
        **form, "preferred_start_1_0": f"{when:%Y-%m-%d}", "preferred_start_1_1": f"{when:%H:%M}"})
    assert ok.status_code == 302, ok.content.decode()[:2000]
    lecture = LectureRequest.objects.get()
    assert lecture.agency.slug == "agency-a" and lecture.requested_by == staff_a


def test_clerk_schedules_in_the_admin_and_staff_cannot(as_role, objects, lecturer):
    from .factories import future

    lecture = objects["lecturerequest"]
    start, end = future(9, 14), future(9, 16)
    data = {"lecturer": lecturer.pk, "start_0": f"{start:%Y-%m-%d}", "start_1": f"{start:%H:%M}",
            "end_0": f"{end:%Y-%m-%d}", "end_1": f"{end:%H:%M}"}
    assert as_role("staff_a").post(f"/admin/partners/lecturerequest/{lecture.pk}/schedule/", data).status_code == 403
    assert as_role("staff_b").post(f"/admin/partners/lecturerequest/{lecture.pk}/schedule/", data).status_code == 404
    response = as_role("clerk").post(f"/admin/partners/lecturerequest/{lecture.pk}/schedule/", data)
    assert response.status_code == 302
    lecture.refresh_from_db()
    assert lecture.status == LectureRequest.Status.SCHEDULED and lecture.lecturer == lecturer


def test_evidence_downloads_only_for_its_agency_and_clerks(as_role, objects, staff_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partners import services

    evidence = services.activity_evidence_add(report=objects["activityreport"], actor=staff_a,
                                              file=SimpleUploadedFile("명단.pdf", PDF))
    url = f"/admin/partners/activityreport/evidence/{evidence.pk}/download/"
    response = as_role("staff_a").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert as_role("clerk").get(url).status_code == 200
    assert as_role("staff_b").get(url).status_code == 404
    assert as_role("anonymous").get(url).status_code == 302
    page = as_role("staff_a").get(f"/admin/partners/activityreport/{evidence.report_id}/change/").content.decode()
    assert url in page and "private-media-is-never-served" not in page


def test_staff_views_of_activity_reports_are_written_to_the_access_log(as_role, objects, clerk):
    report = objects["activityreport"]
    client = as_role("clerk")
    assert client.get(f"/admin/partners/activityreport/{report.pk}/change/").status_code == 200
    entry = AccessLogEntry.objects.get(action="view", record_type="partners.activityreport")
    assert entry.actor == clerk and entry.record_id == str(report.pk)


def test_a_report_title_that_looks_like_a_formula_stays_text_in_the_csv(as_role, objects):
    report = objects["activityreport"]
    report.title = "=cmd|' /C calc'!A0"
    report.save()
    response = as_role("clerk").post("/admin/partners/activityreport/export/", {"reason": "점검"})
    body = response.content.decode("utf-8-sig")
    assert "'=cmd|" in body and ",=cmd|" not in body


def test_an_agency_site_typed_without_a_scheme_is_saved_as_https(rf, agency_a):
    form_class = django_admin.site._registry[Agency].get_form(rf.get("/"), agency_a)
    field = form_class.base_fields["website"]
    assert field.clean("www.gm.go.kr") == "https://www.gm.go.kr"


def test_staff_without_the_reporting_right_may_read_but_not_change_their_agencys_reports(client, agency_a, clause,
                                                                                       roles):
    from .factories import staff_of

    reader = staff_of(agency_a, "reader@agency-a.example.com", can_report_activities=False)
    report = ActivityReportFactory(agency=agency_a, clause=clause, title="초안 보고")
    client.force_login(reader)
    url = reverse("admin:partners_activityreport_change", args=[report.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"clause": clause.pk, "date": "2026-11-01", "title": "고친 제목",
                                 "description": "x", "participants": 3})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.title == "초안 보고"
    assert client.get(reverse("admin:partners_activityreport_add")).status_code == 403


def test_an_agency_logo_is_checked_by_content_and_stored_under_a_random_name(agency_a):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    field = Agency._meta.get_field("logo")
    with pytest.raises(ValidationError):
        field.run_validators(SimpleUploadedFile("logo.png", b"MZ\x90\x00 not an image"))
    name = field.generate_filename(agency_a, "광명경찰서 로고.png")
    assert name.startswith("agency_logos/") and "경찰서" not in name and name.endswith(".png")
