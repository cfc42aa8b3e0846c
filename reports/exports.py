"""File formats of the exports and the detail exports' columns.

CSV is UTF-8 with a BOM (Excel then reads Korean correctly) and streams: rows come from a
values_list ``.iterator(chunk_size=2000)`` and leave in batches, so memory stays flat however
many rows there are. XLSX uses openpyxl's write-only mode. No export selects a contact detail:
the detail exports name people (applicant, registrant, reporting staff, lecturer) and give
reference numbers, never a phone number or an e-mail address.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

# The writers are project plumbing (events and partners export through them too).
from gwangmyeong_portal.exports import (  # noqa: F401 - re-exported for reports' views and tasks
    XLSX_CONTENT_TYPE,
    csv_stream,
    format_datetime,
    text_safe,
    xlsx_write,
)

from . import forms, selectors
from .selectors import Column

CHUNK_SIZE = 2000


def headers(columns: Iterable[Column], language: str) -> list[str]:
    if language == "en":
        return [c.en for c in columns]
    with translation.override("ko"):
        return [str(c.label) for c in columns]


# --- Detail exports -------------------------------------------------------------------------------

def _labels(choices) -> Callable[[str], str]:
    with translation.override("ko"):
        mapping = {value: str(label) for value, label in choices}
    return lambda value: mapping.get(value, value or "")


@dataclass(frozen=True)
class DetailExport:
    """A list of records with personal data (names): asks for a reason; agency-scoped by visible_to."""

    kind: str
    title: Any
    record_type: str
    columns: tuple[Column, ...]
    form_class: type[forms.DetailExportForm]
    queryset: Callable  # (user=, filters=) -> values_list QuerySet
    formatter: Callable[[], Callable[[tuple], list]]  # built per export (labels in Korean)
    city_only: bool = False

    def rows(self, *, user, filters: dict) -> Iterator[list]:
        fmt = self.formatter()
        for raw in self.queryset(user=user, filters=filters).iterator(chunk_size=CHUNK_SIZE):
            yield fmt(raw)

    def count(self, *, user, filters: dict) -> int:
        return self.queryset(user=user, filters=filters).count()


# Dates and times stay datetimes: the CSV writer prints them as "YYYY-MM-DD HH:MM" (Seoul) and the
# XLSX writer makes them typed date cells.
def _application_formatter():
    from programs.models import Application, LifeStage

    stage, status = _labels(LifeStage.choices), _labels(Application.Status.choices)
    return lambda r: [r[0], r[1], stage(r[2]), status(r[3]), r[4], r[5], r[6]]


def _attendee_formatter():
    from events.models import Registration

    status = _labels(Registration.Status.choices)
    return lambda r: [r[0], r[1], r[2], r[3], status(r[4]), r[5], r[6]]


def _activity_formatter():
    from partners.models import ActivityReport

    status = _labels(ActivityReport.Status.choices)
    return lambda r: [r[0], r[1], r[2], r[3], r[4], status(r[5]), r[6] or "", r[7], r[8]]


def _lecture_formatter():
    from partners.models import LectureRequest

    audience, status = _labels(LectureRequest.Audience.choices), _labels(LectureRequest.Status.choices)
    return lambda r: [r[0], r[1], audience(r[2]), r[3], r[4], status(r[5]), r[6] or "", r[7], r[8], r[9], r[10]]


DETAIL_EXPORTS: dict[str, DetailExport] = {
    export.kind: export for export in (
        DetailExport(
            kind="applications", title=_("신청 목록"), record_type="programs.application", city_only=True,
            columns=(Column("reference", _("신청 번호"), "Reference"), Column("program", _("사업"), "Program"),
                     Column("stage", _("생애 단계"), "Life stage"), Column("status", _("상태"), "Status"),
                     Column("applicant", _("신청인 이름"), "Applicant name"),
                     Column("submitted_at", _("접수 일시"), "Submitted at"),
                     Column("decided_at", _("결정 일시"), "Decided at")),
            form_class=forms.ApplicationExportForm, queryset=selectors.application_export_rows,
            formatter=_application_formatter,
        ),
        DetailExport(
            kind="attendees", title=_("행사 참석자 명단"), record_type="events.registration",
            columns=(Column("event", _("행사"), "Event"), Column("starts_at", _("일시"), "Date and time"),
                     Column("name", _("이름"), "Name"), Column("party_size", _("인원"), "Party size"),
                     Column("status", _("상태"), "Status"), Column("registered_at", _("신청 시각"), "Registered at"),
                     Column("checked_in_at", _("입장 확인"), "Checked in at")),
            form_class=forms.AttendeeExportForm, queryset=selectors.attendee_export_rows,
            formatter=_attendee_formatter,
        ),
        DetailExport(
            kind="activities", title=_("협약 활동 보고"), record_type="partners.activityreport",
            columns=(Column("agency", _("기관"), "Agency"), Column("clause", _("조항"), "Clause"),
                     Column("date", _("활동일"), "Date"), Column("title", _("제목"), "Title"),
                     Column("participants", _("참여 인원"), "Participants"), Column("status", _("상태"), "Status"),
                     Column("submitted_by", _("제출자 이름"), "Submitted by"),
                     Column("submitted_at", _("제출 일시"), "Submitted at"),
                     Column("decided_at", _("처리 일시"), "Decided at")),
            form_class=forms.ActivityExportForm, queryset=selectors.activity_export_rows,
            formatter=_activity_formatter,
        ),
        DetailExport(
            kind="lectures", title=_("강사 파견 목록"), record_type="partners.lecturerequest",
            columns=(Column("agency", _("기관"), "Agency"), Column("topic", _("주제"), "Topic"),
                     Column("audience", _("대상"), "Audience"),
                     Column("expected_size", _("예상 인원"), "Expected size"),
                     Column("venue", _("장소"), "Venue"), Column("status", _("상태"), "Status"),
                     Column("lecturer", _("강사 이름"), "Lecturer"),
                     Column("scheduled_start", _("확정 시작"), "Scheduled start"),
                     Column("scheduled_end", _("확정 종료"), "Scheduled end"),
                     Column("attendance", _("참석 인원"), "Attendance"),
                     Column("requested_at", _("요청 시각"), "Requested at")),
            form_class=forms.LectureExportForm, queryset=selectors.lecture_export_rows,
            formatter=_lecture_formatter,
        ),
    )
}


def file_name(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y%m%d}.{extension}"
