"""Exports: CSV with a BOM and Korean (or English) headers, XLSX that opens, detail lists behind a
PIPA reason, agency scoping, an access-log row for every export, and no contact detail anywhere."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gwangmyeong_portal.models import AccessLogEntry
from reports import selectors

from .conftest import CITIZEN_EMAIL, CITIZEN_PHONE, LECTURER_EMAIL, LECTURER_PHONE, PERIOD


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def last_export_log() -> AccessLogEntry:
    return AccessLogEntry.objects.filter(action="export").latest("pk")


def detail(client, kind, **fields):
    data = {**PERIOD, "format": "csv", "lang": "ko", "reason": "상반기 사업 실적 보고", **fields}
    return client.post(reverse("reports:detail_export", args=[kind]), data)


# --- Dashboard tables -----------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("key", selectors.TABLE_KEYS)
def test_every_dashboard_table_exports_to_csv_and_xlsx_and_is_logged(client, clerk, data, key):
    client.force_login(clerk)
    url = reverse("reports:table_export", args=[key, "csv"])
    response = client.get(url, PERIOD)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = csv_rows(response)
    entry = last_export_log()
    assert entry.actor == clerk and entry.record_type == f"reports.{key}"
    assert entry.detail["filters"] == {**PERIOD, "stage": ""} and entry.detail["format"] == "csv"
    assert entry.detail["rows"] == len(rows) - 1

    xlsx = client.get(reverse("reports:table_export", args=[key, "xlsx"]), PERIOD)
    assert xlsx.status_code == 200
    assert [list(map(lambda v: "" if v is None else str(v), r)) for r in xlsx_rows(xlsx)][0] == rows[0]
    assert len(xlsx_rows(xlsx)) == len(rows)
    assert last_export_log().detail["format"] == "xlsx"


@pytest.mark.django_db
def test_csv_headers_are_korean_and_english_with_lang_en(client, clerk, data, whole_counts):
    client.force_login(clerk)
    url = reverse("reports:table_export", args=["program_decisions", "csv"])
    korean = csv_rows(client.get(url, PERIOD))
    assert korean[0] == ["사업", "생애 단계", "접수", "승인", "반려", "승인율(%)", "결정까지 중앙값(일)"]
    assert ["출산 축하금", "임신·출산", "4", "2", "1", "66.7", "6.0"] in korean  # Korean text round-trips
    english = csv_rows(client.get(url, {**PERIOD, "lang": "en"}))
    assert english[0] == ["Program", "Life stage", "Submitted", "Approved", "Rejected", "Approval rate (%)",
                          "Median days to decision"]
    assert english[1:] == korean[1:]


# --- Detail exports -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_detail_export_asks_for_a_reason_first(client, clerk, data):
    client.force_login(clerk)
    page = client.get(reverse("reports:detail_export", args=["applications"]), PERIOD)
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    before = AccessLogEntry.objects.count()
    refused = detail(client, "applications", reason="")
    assert refused.status_code == 400 and "attachment" not in refused.get("Content-Disposition", "")
    assert AccessLogEntry.objects.count() == before  # nothing was exported, nothing logged


@pytest.mark.django_db
def test_application_export_has_names_and_references_but_no_contact(client, clerk, citizen, data):
    client.force_login(clerk)
    response = detail(client, "applications")
    assert response.status_code == 200 and response.streaming
    rows = csv_rows(response)
    assert rows[0] == ["신청 번호", "사업", "생애 단계", "상태", "신청인 이름", "접수 일시", "결정 일시"]
    assert len(rows) == 1 + 5  # five submitted in 2025; not the draft, not the 2024 one
    assert rows[1][1:5] == ["출산 축하금", "임신·출산", "승인", "김시민"] and rows[1][0].startswith("T-")
    assert rows[1][5:] == ["2025-03-10 12:00", "2025-03-20 12:00"]
    text = "\n".join(",".join(r) for r in rows)
    assert CITIZEN_EMAIL not in text and CITIZEN_PHONE not in text
    entry = last_export_log()
    assert entry.record_type == "programs.application" and entry.reason == "상반기 사업 실적 보고"
    assert entry.detail == {"filters": PERIOD, "rows": 5, "format": "csv", "lang": "ko"}


@pytest.mark.django_db
def test_application_export_filters_like_the_admin(client, clerk, data):
    client.force_login(clerk)
    rows = csv_rows(detail(client, "applications", program=data["birth"].pk, status="approved"))
    assert [r[3] for r in rows[1:]] == ["승인", "승인"]
    rows = csv_rows(detail(client, "applications", stage="childcare_education", lang="en"))
    assert rows[0][0] == "Reference" and [r[1] for r in rows[1:]] == ["장난감 도서관"]
    assert last_export_log().detail["filters"] == {**PERIOD, "stage": "childcare_education"}


@pytest.mark.django_db
@pytest.mark.parametrize("fields", [
    {"start": "2025-13-01"}, {"start": "2025-06-01", "end": "2025-01-01"}, {"program": "999999"},
    {"status": "made-up"}, {"format": "pdf"}, {"lang": "fr"}, {"program": "'; --"},
])
def test_bad_detail_export_input_is_a_form_error_not_a_500(client, clerk, data, fields):
    client.force_login(clerk)
    response = detail(client, "applications", **fields)
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()


@pytest.mark.django_db
def test_export_with_no_rows_has_headers_only(client, clerk, data):
    client.force_login(clerk)
    rows = csv_rows(detail(client, "applications", start="2030-01-01", end="2030-12-31"))
    assert rows == [["신청 번호", "사업", "생애 단계", "상태", "신청인 이름", "접수 일시", "결정 일시"]]
    assert xlsx_rows(detail(client, "attendees", start="2030-01-01", end="2030-12-31", format="xlsx")) == [
        ("행사", "일시", "이름", "인원", "상태", "신청 시각", "입장 확인")]
    assert last_export_log().detail["rows"] == 0


@pytest.mark.django_db
def test_small_xlsx_export_opens_and_has_the_rows(client, clerk, data):
    client.force_login(clerk)
    response = detail(client, "applications", format="xlsx")
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    rows = xlsx_rows(response)
    assert rows[0][0] == "신청 번호" and len(rows) == 6
    assert {r[4] for r in rows[1:]} == {"김시민"}
    assert last_export_log().detail["format"] == "xlsx"


@pytest.mark.django_db
def test_attendee_export_names_people_without_contacts(client, clerk, citizen, data):
    client.force_login(clerk)
    rows = csv_rows(detail(client, "attendees"))
    names = sorted(r[2] for r in rows[1:])
    assert names == sorted(["김시민", "참가자0", "참가자1", "참가자3", "참가자4"])  # not the cancelled one
    text = "\n".join(",".join(r) for r in rows)
    assert CITIZEN_EMAIL not in text and CITIZEN_PHONE not in text and "@example.com" not in text
    assert last_export_log().record_type == "events.registration"


@pytest.mark.django_db
def test_lecture_export_names_the_lecturer_without_contacts(client, clerk, data):
    client.force_login(clerk)
    rows = csv_rows(detail(client, "lectures"))
    assert len(rows) == 4 and "김강사" in {r[6] for r in rows}
    text = "\n".join(",".join(r) for r in rows)
    assert LECTURER_PHONE not in text and LECTURER_EMAIL not in text


@pytest.mark.django_db
def test_agency_staff_export_only_their_agency(client, staff_a, data):
    client.force_login(staff_a)
    activities = csv_rows(detail(client, "activities"))
    assert {r[0] for r in activities[1:]} == {"가기관"} and len(activities) == 4
    lectures = csv_rows(detail(client, "lectures"))
    assert {r[0] for r in lectures[1:]} == {"가기관"} and len(lectures) == 3
    attendees = csv_rows(detail(client, "attendees"))
    assert [r[0] for r in attendees[1:]] == ["가기관 강연"]
    table = csv_rows(client.get(reverse("reports:table_export", args=["partner_activities", "csv"]), PERIOD))
    assert {r[0] for r in table[1:]} == {"가기관"}
    assert last_export_log().actor == staff_a and last_export_log().detail["scope"] == "agency"
    # Applications have no agency: agency staff get none.
    assert detail(client, "applications").status_code == 403
    assert client.get(reverse("reports:detail_export", args=["applications"])).status_code == 403


@pytest.mark.django_db
def test_unknown_export_kind_is_404(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("reports:detail_export", args=["contacts"])).status_code == 404
    assert client.get("/reports/tables/nonsense.csv").status_code == 404
    assert client.get("/reports/tables/event_fill.pdf").status_code == 404


def test_formula_like_cells_are_written_as_text():
    from reports.exports import csv_stream

    out = b"".join(csv_stream(["a"], [["=HYPERLINK(\"x\")"], ["-3"], [-3]])).decode("utf-8-sig")
    assert [r[0] for r in csv.reader(io.StringIO(out))][1:] == ["'=HYPERLINK(\"x\")", "'-3", "-3"]
