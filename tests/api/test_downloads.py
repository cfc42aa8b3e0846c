"""The downloads: events in the 전국문화축제표준데이터 layout, programs as CSV and JSON, UTF-8 with a
BOM for the CSV files so Excel opens the Korean, linked from the catalog and calendar pages."""

import csv
import io
import json

import pytest

from api.opendata import FESTIVAL_COLUMNS, PROGRAM_COLUMNS

pytestmark = pytest.mark.django_db


def read_csv(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # BOM
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_events_csv_follows_the_national_standard(client, city, settings):
    settings.OPEN_DATA_PROVIDER_CODE = "3830000"
    response = client.get("/api/v1/downloads/events.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == FESTIVAL_COLUMNS
    by_name = {row[0]: dict(zip(FESTIVAL_COLUMNS, row, strict=True)) for row in rows[1:]}
    talk = by_name["박람회 강연"]  # sub-events are listed too
    assert talk["주최기관명"] == "광명경찰서" and talk["전화번호"] == "02-2680-0000"
    assert talk["축제시작일자"] == city["talk"].starts_at.astimezone(talk_tz()).date().isoformat()
    fair = by_name["광명 육아 박람회"]
    assert fair["주최기관명"] == "경기도 광명시" and fair["제공기관코드"] == "3830000"
    assert fair["홈페이지주소"].endswith(f"/events/{city['fair'].pk}/")
    assert "미혼 직원 만남의 날" not in by_name and "직원 전용 강의" not in by_name


def talk_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Seoul")


def test_programs_csv_and_json(client, city):
    rows = read_csv(client.get("/api/v1/downloads/programs.csv?lang=en"))
    assert rows[0] == PROGRAM_COLUMNS
    slugs = [row[0] for row in rows[1:]]
    assert "birth-incentive" in slugs and "toy-library" in slugs and "draft-program" not in slugs
    incentive = dict(zip(PROGRAM_COLUMNS, rows[1 + slugs.index("birth-incentive")], strict=True))
    assert incentive["title"] == "Birth incentive" and incentive["households"] == "multi_child"
    data = json.loads(client.get("/api/v1/downloads/programs.json").content)
    assert data["language"] == "ko" and {p["slug"] for p in data["programs"]} == {"birth-incentive", "toy-library"}
    assert client.get("/api/v1/downloads/programs.csv?lang=xx").status_code == 422


def test_downloads_are_linked_from_the_catalog_and_the_calendar(client, city):
    assert b"/api/v1/downloads/programs.csv" in client.get("/programs/").content
    assert b"/api/v1/downloads/events.csv" in client.get("/events/").content
