"""XLSX files open in Excel as a clerk expects: dates are dates (they sort and filter as such, in
Seoul time), the header row stays on screen, columns are wide enough to read, formulas stay text."""

import datetime as dt
import io
import zoneinfo

from openpyxl import load_workbook

from gwangmyeong_portal.exports import xlsx_write

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def _write(header, rows):
    buffer = io.BytesIO()
    count = xlsx_write(buffer, header, rows, title="시험")
    buffer.seek(0)
    return count, load_workbook(buffer).active


def test_dates_are_typed_header_frozen_columns_sized():
    at = dt.datetime(2026, 3, 5, 1, 30, 12, tzinfo=dt.UTC)  # 10:30 in Seoul
    rows = [["정시 퇴근 캠페인(경찰서 전 직원 대상)", at, dt.date(2026, 3, 4), 120, "=HYPERLINK(1)"],
            ["짧은 제목", None, dt.date(2026, 3, 5), 3, ""]]
    count, sheet = _write(["활동 제목", "제출 일시", "활동일", "인원", "메모"], rows)
    assert count == 2
    submitted, day = sheet["B2"], sheet["C2"]
    assert submitted.is_date and submitted.value == dt.datetime(2026, 3, 5, 10, 30)
    assert submitted.number_format == "yyyy-mm-dd hh:mm"
    assert day.is_date and day.value.date() == dt.date(2026, 3, 4) and day.number_format == "yyyy-mm-dd"
    assert sheet["D2"].value == 120 and sheet["E2"].value == "'=HYPERLINK(1)"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    widths = {col: sheet.column_dimensions[col].width for col in "ABCDE"}
    assert widths["A"] >= 30  # a long Korean title: each Hangul letter takes two widths
    assert widths["B"] >= 16 and widths["D"] >= 8


def test_a_large_export_still_streams_past_the_sized_rows():
    rows = ([n, dt.date(2026, 1, 1) + dt.timedelta(days=n % 300)] for n in range(1000))
    count, sheet = _write(["번호", "날짜"], rows)
    assert count == 1000 and sheet.max_row == 1001 and sheet["B1001"].is_date


def test_report_detail_rows_keep_dates_typed_for_xlsx_and_the_csv_text_is_unchanged():
    from gwangmyeong_portal.exports import csv_stream
    from reports.exports import _activity_formatter

    at = dt.datetime(2026, 3, 5, 1, 30, tzinfo=dt.UTC)
    row = _activity_formatter()(("가기관", 5, "2026-03-04", "캠페인", 10, "accepted", "", at, None))
    assert row[7] == at and row[8] is None  # not pre-formatted text any more
    csv_text = b"".join(csv_stream(["h"] * 9, [row])).decode("utf-8-sig")
    assert "2026-03-05 10:30" in csv_text
