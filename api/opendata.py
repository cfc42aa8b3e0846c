"""The downloads in a national standard layout, for the public data portal (공공데이터포털).

Events follow **전국문화축제표준데이터** (the national standard dataset for cultural festivals and
events, data.go.kr standard dataset no. 15013104, the column list as the portal published it on its
standard-data page — checked 2026; the portal gives no separate version number for the column set,
so the file states the columns it follows instead). Every column of the standard is written, in the
standard's order and with its Korean name; a value the portal does not record is left empty, as the
standard allows, never made up:

| standard column | from |
|---|---|
| 축제명 | the event's Korean title |
| 개최장소 | venue |
| 축제시작일자, 축제종료일자 | start and end date, Asia/Seoul, YYYY-MM-DD |
| 축제내용 | Korean description (one line), with the start and end time |
| 주관기관명 | the organising office, or the organising agency |
| 주최기관명 | the agency running it, or 경기도 광명시 for the city's own events |
| 후원기관명 | empty (not recorded) |
| 전화번호 | the organising agency's phone; for the city's events OPEN_DATA_CONTACT_PHONE |
| 홈페이지주소 | the event's page on the portal |
| 관련정보 | type, audience, registration and places, in words |
| 소재지도로명주소 | address |
| 소재지지번주소, 위도, 경도 | empty (not recorded) |
| 데이터기준일자 | the day the file was made |
| 제공기관코드 | OPEN_DATA_PROVIDER_CODE (the city's institution code; empty until set) |
| 제공기관명 | OPEN_DATA_PROVIDER_NAME (경기도 광명시) |

Programs have no national standard layout that fits a city's own benefit catalog, so they are
given as CSV and JSON with the API's own field names (documented at /api/v1/docs/).
Files are UTF-8 with a BOM (Excel opens them as Korean), through ``gwangmyeong_portal.exports``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation

from events.models import Event

from . import selectors

FESTIVAL_STANDARD = "전국문화축제표준데이터 (공공데이터포털 표준데이터 15013104)"
FESTIVAL_COLUMNS = [
    "축제명", "개최장소", "축제시작일자", "축제종료일자", "축제내용", "주관기관명", "주최기관명", "후원기관명",
    "전화번호", "홈페이지주소", "관련정보", "소재지도로명주소", "소재지지번주소", "위도", "경도", "데이터기준일자",
    "제공기관코드", "제공기관명",
]


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _related(event: Event) -> str:
    parts = [str(event.get_type_display())]
    if event.audience:
        parts.append(f"대상: {event.audience}")
    if event.registration_required:
        parts.append("사전 신청" + (f", 정원 {event.capacity}명" if event.capacity else ""))
    else:
        parts.append("신청 없이 참여")
    if event.status != Event.Status.SCHEDULED:
        parts.append(str(event.get_status_display()))
    return " · ".join(parts)


def festival_rows(events: list[Event]):
    """One row per event in the standard's column order (Korean: the standard's language)."""
    today = timezone.localdate().isoformat()
    with translation.override("ko"):
        for event in events:
            start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
            agency = event.organiser if event.organiser_id and not event.organiser.is_city else None
            host = agency.name_ko if agency else settings.OPEN_DATA_PROVIDER_NAME
            organiser = event.organiser_office or (agency.name_ko if agency else settings.OPEN_DATA_PROVIDER_NAME)
            phone = agency.phone if agency else settings.OPEN_DATA_CONTACT_PHONE
            content = _one_line(event.description_ko)
            when = f"{start:%Y-%m-%d %H:%M}~{end:%Y-%m-%d %H:%M}"
            yield [
                event.title_ko, event.venue, start.date().isoformat(), end.date().isoformat(),
                f"{content} ({when})".strip() if content else when, organiser, host, "", phone,
                selectors.absolute(event.get_absolute_url()), _related(event), event.address, "", "", "",
                today, settings.OPEN_DATA_PROVIDER_CODE, settings.OPEN_DATA_PROVIDER_NAME,
            ]


PROGRAM_COLUMNS = [
    "slug", "title", "summary", "life_stage", "topic", "households", "support_kind", "amount_max",
    "apply_method", "opens_on", "closes_on", "open_now", "criteria", "documents", "office", "office_phone",
    "legal_basis", "is_facility", "address", "opening_hours", "url", "updated_at",
]


def program_records(*, language: str) -> list[dict]:
    """Every published program and facility as a flat record (the CSV and JSON downloads)."""
    today = timezone.localdate()
    records = []
    with translation.override(language):
        for program in selectors.program_export_rows():
            row = selectors.program_detail_row(program, today)
            records.append({
                "slug": row["slug"], "title": row["title"], "summary": row["summary"],
                "life_stage": row["life_stage"], "topic": row["topic"],
                "households": [tag["code"] for tag in row["households"]], "support_kind": row["support_kind"],
                "amount_max": row["amount_max"], "apply_method": row["window"]["apply_method"],
                "opens_on": row["window"]["opens_on"].isoformat() if row["window"]["opens_on"] else None,
                "closes_on": row["window"]["closes_on"].isoformat() if row["window"]["closes_on"] else None,
                "open_now": row["window"]["open_now"], "criteria": row["criteria"],
                "documents": [doc["name"] for doc in row["documents"]], "office": row["office"],
                "office_phone": row["office_phone"], "legal_basis": row["legal_basis"],
                "is_facility": program.is_facility, "address": program.address,
                "opening_hours": program.opening_hours, "url": row["url"],
                "updated_at": timezone.localtime(program.updated_at).isoformat(),
            })
    return records


def program_csv_rows(records: list[dict]):
    for record in records:
        yield [" | ".join(value) if isinstance(value, list) else value for value in
               (record[column] for column in PROGRAM_COLUMNS)]
