"""Reads behind the reports dashboard and its exports.

Each dashboard table (and the chart(s) drawn from it) comes from ONE aggregate query, whatever the
number of rows behind it; the only exception is the median on a non-PostgreSQL database (``make
run`` on SQLite), where a second values_list query feeds a Python median. Every queryset goes
through the owning model's ``visible_to(user)``; agency staff therefore see their own agency's
events, activities, commitments and lectures, and nothing of applications or matchmaking (those
rows have no agency).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forms import ReportFilters

SUPPRESS_BELOW = 5
SUPPRESSED = "<5"
MAX_EVENTS = 100  # events shown in the fill-rate chart (the latest ones in the period)


# --- Who sees what --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportScope:
    """``all`` for clerks and superusers; ``agency`` (with its id) for agency staff."""

    kind: str
    agency_id: int | None = None
    agency_name: str = ""

    @property
    def is_city(self) -> bool:
        return self.kind == "all"


def report_scope_for(user) -> ReportScope | None:
    """The reports a user may see, or None (anonymous users and citizens see none)."""
    from accounts.roles import is_clerk
    from partners.selectors import membership_for

    if not getattr(user, "is_authenticated", False):
        return None
    if is_clerk(user):
        return ReportScope("all")
    membership = membership_for(user)
    if membership is not None:
        return ReportScope("agency", membership.agency_id, membership.agency.name)
    return None


# --- Tables -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy Korean msgid: shown on the page and used as the Korean export header
    en: str  # the English export header (``?lang=en``)
    numeric: bool = False


@dataclass
class Table:
    """One dashboard table: what the page shows, what its chart(s) draw and what its export holds."""

    key: str
    title: Any
    columns: tuple[Column, ...]
    rows: list[list] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    note: Any = ""


def _bounds(filters: ReportFilters) -> tuple[datetime, datetime]:
    """[start 00:00, day after end 00:00) in the portal's time zone, as aware datetimes."""
    tz = timezone.get_current_timezone()
    return (datetime.combine(filters.start, time.min, tzinfo=tz),
            datetime.combine(filters.end_exclusive, time.min, tzinfo=tz))


def _months(filters: ReportFilters) -> list[date]:
    months, current = [], filters.start.replace(day=1)
    while current <= filters.end:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def _rate(numerator, denominator) -> float | None:
    if not denominator or numerator is None:
        return None
    return round(100 * numerator / denominator, 1)


def _suppress(n: int | None):
    """Counts under 5 are not shown, so no figure points at a few identifiable people."""
    if n is None or n < SUPPRESS_BELOW:
        return SUPPRESSED
    return n


def _chart(kind: str, title, labels: list, datasets: list[dict], *, stacked=False, horizontal=False,
           y_title="", percent=False) -> dict:
    return {"type": kind, "title": str(title), "labels": [str(label) for label in labels],
            "datasets": [{**d, "label": str(d["label"])} for d in datasets], "stacked": stacked,
            "horizontal": horizontal, "yTitle": str(y_title), "percent": percent}


# --- Applications -------------------------------------------------------------------------------

def _applications(user, filters: ReportFilters) -> QuerySet:
    from programs.models import Application

    start, end = _bounds(filters)
    qs = (Application.objects.visible_to(user).exclude(status=Application.Status.DRAFT)
          .filter(submitted_at__gte=start, submitted_at__lt=end))
    if filters.stage:
        qs = qs.filter(program__life_stage=filters.stage)
    return qs


def applications_by_month(*, user, filters: ReportFilters) -> Table:
    """Submitted applications per month of submission, by life stage and status (one GROUP BY query)."""
    from programs.models import Application, LifeStage

    statuses = [s for s in Application.Status if s != Application.Status.DRAFT]
    stages = [s for s in LifeStage if not filters.stage or s == filters.stage]
    counts: dict[tuple[str, str, str], int] = {}
    rows_qs = (_applications(user, filters).annotate(month=TruncMonth("submitted_at"))
               .values("month", "program__life_stage", "status").annotate(n=Count("id")).order_by())
    for row in rows_qs:
        month = timezone.localtime(row["month"]).date() if isinstance(row["month"], datetime) else row["month"]
        counts[(f"{month:%Y-%m}", row["program__life_stage"], row["status"])] = row["n"]
    months = [f"{m:%Y-%m}" for m in _months(filters)]
    columns = (Column("month", _("월"), "Month"), Column("stage", _("생애 단계"), "Life stage"),
               *[Column(s.value, s.label, s.value.replace("_", " ").capitalize(), True) for s in statuses],
               Column("total", _("합계"), "Total", True))
    rows = []
    for month in months:
        for stage in stages:
            cells = [counts.get((month, stage.value, s.value), 0) for s in statuses]
            if sum(cells):
                rows.append([month, str(stage.label), *cells, sum(cells)])
    by_stage = [{"label": stage.label, "stack": "stage",
                 "data": [sum(counts.get((m, stage.value, s.value), 0) for s in statuses) for m in months]}
                for stage in stages]
    by_status = [{"label": s.label, "stack": "status",
                  "data": [sum(counts.get((m, stage.value, s.value), 0) for stage in stages) for m in months]}
                 for s in statuses]
    return Table(
        key="applications_by_month", title=_("월별 신청 (생애 단계·상태별)"), columns=columns, rows=rows,
        charts=[_chart("bar", _("월별 신청 건수 — 생애 단계별"), months, by_stage, stacked=True, y_title=_("건수")),
                _chart("bar", _("월별 신청 건수 — 상태별"), months, by_status, stacked=True, y_title=_("건수"))],
        note=_("접수 일시 기준. 작성 중인 신청은 세지 않습니다."),
    )


class Median(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(0.5) WITHIN GROUP (ORDER BY x)``."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _days_between(start: str, end: str) -> Func:
    return Func(F(end) - F(start), template="EXTRACT(EPOCH FROM (%(expressions)s))",
                output_field=FloatField()) / Value(86400.0)


def program_decisions(*, user, filters: ReportFilters) -> Table:
    """Per program: submitted, approved, rejected, approval rate and median days from submission to decision.

    On PostgreSQL the median is part of the one GROUP BY query (``percentile_cont``); on other
    databases a values_list query over the decided applications feeds ``statistics.median``.
    """
    from programs.models import Application

    decided = Q(status__in=Application.DECIDED, decided_at__isnull=False)
    qs = (_applications(user, filters).values("program_id", "program__title_ko", "program__life_stage")
          .annotate(total=Count("id"), approved=Count("id", filter=Q(status=Application.Status.APPROVED)),
                    rejected=Count("id", filter=Q(status=Application.Status.REJECTED)))
          .order_by("program__life_stage", "program__title_ko"))
    postgres = connection.vendor == "postgresql"
    if postgres:
        qs = qs.annotate(median_days=Median(_days_between("submitted_at", "decided_at"), filter=decided))
    results = list(qs)
    if not postgres:
        durations: dict[int, list[float]] = {}
        for program_id, submitted, decided_at in (_applications(user, filters).filter(decided)
                                                  .values_list("program_id", "submitted_at", "decided_at")):
            durations.setdefault(program_id, []).append((decided_at - submitted).total_seconds() / 86400)
        for row in results:
            days = durations.get(row["program_id"])
            row["median_days"] = statistics.median(days) if days else None
    from programs.models import LifeStage

    stage_labels = dict(LifeStage.choices)
    rows = []
    for row in results:
        median = row["median_days"]
        rows.append([row["program__title_ko"], str(stage_labels.get(row["program__life_stage"], "")), row["total"],
                     row["approved"], row["rejected"], _rate(row["approved"], row["approved"] + row["rejected"]),
                     None if median is None else round(median, 1)])
    labels = [r[0] for r in rows]
    columns = (Column("program", _("사업"), "Program"), Column("stage", _("생애 단계"), "Life stage"),
               Column("submitted", _("접수"), "Submitted", True), Column("approved", _("승인"), "Approved", True),
               Column("rejected", _("반려"), "Rejected", True),
               Column("approval_rate", _("승인율(%)"), "Approval rate (%)", True),
               Column("median_days", _("결정까지 중앙값(일)"), "Median days to decision", True))
    return Table(
        key="program_decisions", title=_("사업별 승인율과 결정까지 걸린 날"), columns=columns, rows=rows,
        charts=[_chart("bar", _("사업별 승인율(%)"), labels, [{"label": _("승인율(%)"), "data": [r[5] for r in rows]}],
                       horizontal=True, percent=True),
                _chart("bar", _("사업별 결정까지 중앙값(일)"), labels,
                       [{"label": _("결정까지 중앙값(일)"), "data": [r[6] for r in rows]}], horizontal=True,
                       y_title=_("일"))],
        note=_("승인율 = 승인 ÷ (승인 + 반려). 기간 안에 접수된 신청 기준."),
    )


# --- Events -------------------------------------------------------------------------------------

def event_fill(*, user, scope: ReportScope, filters: ReportFilters) -> Table:
    """Per event needing registration: capacity, places taken, attendance, waitlist (one query)."""
    from events.models import Event, Registration

    start, end = _bounds(filters)
    qs = Event.objects.visible_to(user).filter(registration_required=True, starts_at__gte=start, starts_at__lt=end)
    if not scope.is_city:
        qs = qs.filter(organiser_id=scope.agency_id)
    if filters.stage:
        qs = qs.with_stage(filters.stage)
    held = Q(registrations__status__in=Registration.HOLDS_PLACE)
    results = list(
        qs.annotate(held=Coalesce(Sum("registrations__party_size", filter=held), 0),
                    attended=Coalesce(Sum("registrations__party_size",
                                          filter=Q(registrations__status=Registration.Status.ATTENDED)), 0),
                    waitlisted=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)))
        .values("pk", "title_ko", "starts_at", "capacity", "status", "held", "attended", "waitlisted")
        .order_by("-starts_at", "-pk")[:MAX_EVENTS]
    )
    results.reverse()
    now = timezone.now()
    rows = []
    for row in results:
        past = row["starts_at"] <= now
        rows.append([row["title_ko"], f"{timezone.localtime(row['starts_at']):%Y-%m-%d %H:%M}", row["capacity"],
                     row["held"], row["attended"] if past else None, row["waitlisted"],
                     _rate(row["held"], row["capacity"]), _rate(row["attended"], row["held"]) if past else None])
    labels = [f"{r[1][5:10]} {r[0]}" for r in rows]
    columns = (Column("event", _("행사"), "Event"), Column("starts_at", _("일시"), "Date and time"),
               Column("capacity", _("정원"), "Capacity", True), Column("held", _("신청(자리)"), "Places taken", True),
               Column("attended", _("참석"), "Attended", True), Column("waitlisted", _("대기"), "Waitlisted", True),
               Column("fill_rate", _("채움률(%)"), "Fill rate (%)", True),
               Column("attendance_rate", _("참석률(%)"), "Attendance rate (%)", True))
    return Table(
        key="event_fill", title=_("행사 채움률과 참석"), columns=columns, rows=rows,
        charts=[_chart("bar", _("행사별 채움률과 참석률(%)"), labels,
                       [{"label": _("채움률(%)"), "data": [r[6] for r in rows]},
                        {"label": _("참석률(%)"), "data": [r[7] for r in rows]}], percent=True,
                       horizontal=len(rows) > 12)],
        note=_("사전 신청이 필요한 행사. 채움률 = 신청(자리) ÷ 정원, 참석률 = 참석 ÷ 신청(자리), 지난 행사만. "
               "최근 %(n)s개까지.")
        % {"n": MAX_EVENTS},
    )


# --- Partners -----------------------------------------------------------------------------------

def partner_activities(*, user, filters: ReportFilters) -> Table:
    """Activity reports per agency and clause: accepted, awaiting review, participants (one query)."""
    from partners.models import ActivityReport

    Status = ActivityReport.Status
    results = list(
        ActivityReport.objects.visible_to(user).filter(date__gte=filters.start, date__lte=filters.end)
        .values("agency_id", "agency__name_ko", "agency__order", "clause__number")
        .annotate(accepted=Count("id", filter=Q(status=Status.ACCEPTED)),
                  pending=Count("id", filter=Q(status=Status.SUBMITTED)),
                  participants=Coalesce(Sum("participants", filter=Q(status=Status.ACCEPTED)), 0))
        .order_by("agency__order", "agency__name_ko", "clause__number")
    )
    rows = [[r["agency__name_ko"], r["clause__number"], r["accepted"], r["pending"], r["participants"]]
            for r in results]
    agencies = list(dict.fromkeys(r[0] for r in rows))
    clauses = sorted({r[1] for r in rows})
    cell = {(r[0], r[1]): r[2] for r in rows}
    datasets = [{"label": _("%(n)s조") % {"n": number}, "stack": "clauses",
                 "data": [cell.get((agency, number), 0) for agency in agencies]} for number in clauses]
    columns = (Column("agency", _("기관"), "Agency"), Column("clause", _("조항"), "Clause", True),
               Column("accepted", _("승인된 활동"), "Accepted activities", True),
               Column("pending", _("검토 대기"), "Awaiting review", True),
               Column("participants", _("참여 인원(승인)"), "Participants (accepted)", True))
    return Table(
        key="partner_activities", title=_("기관·조항별 협약 활동"), columns=columns, rows=rows,
        charts=[_chart("bar", _("기관별 승인된 활동 — 조항별"), agencies, datasets, stacked=True, horizontal=True,
                       y_title=_("건수"))],
        note=_("활동일 기준. 생애 단계 조건은 적용되지 않습니다."),
    )


def commitments_progress(*, user, filters: ReportFilters) -> Table:
    """Each commitment's yearly target against the accepted activities under its clause (one query)."""
    from partners.models import ActivityReport, Commitment

    accepted = (ActivityReport.objects.accepted()
                .filter(agency_id=OuterRef("agency_id"), clause_id=OuterRef("clause_id"),
                        date__gte=filters.start, date__lte=filters.end)
                .order_by().values("agency_id").annotate(n=Count("id")).values("n"))
    results = list(
        Commitment.objects.visible_to(user)
        .annotate(accepted=Coalesce(Subquery(accepted, output_field=IntegerField()), 0))
        .values("pk", "agency__name_ko", "clause__number", "text_ko", "target_count", "unit_ko", "accepted")
        .order_by("agency__order", "agency__name_ko", "clause__number", "pk")
    )
    rows = []
    for r in results:
        target = r["target_count"]
        met = None if not target else (_("달성") if r["accepted"] >= target else _("미달"))
        rows.append([r["agency__name_ko"], r["clause__number"], r["text_ko"][:80], target,
                     r["unit_ko"], r["accepted"], str(met) if met else ""])
    labels = [f"{r[0]} · {_('%(n)s조') % {'n': r[1]}}" for r in rows]
    columns = (Column("agency", _("기관"), "Agency"), Column("clause", _("조항"), "Clause", True),
               Column("commitment", _("약속"), "Commitment"), Column("target", _("연간 목표"), "Yearly target", True),
               Column("unit", _("단위"), "Unit"),
               Column("accepted", _("기간 중 승인된 활동"), "Accepted in period", True),
               Column("met", _("달성 여부"), "Met"))
    return Table(
        key="commitments_progress", title=_("기관별 약속 대비 활동"), columns=columns, rows=rows,
        charts=[_chart("bar", _("약속(연간 목표)과 승인된 활동"), labels,
                       [{"label": _("연간 목표"), "data": [r[3] for r in rows]},
                        {"label": _("기간 중 승인된 활동"), "data": [r[5] for r in rows]}], horizontal=True,
                       y_title=_("건수"))],
        note=_("목표는 연간 기준입니다. 1년이 아닌 기간을 고르면 비교에 주의하세요."),
    )


def lecture_dispatches(*, user, filters: ReportFilters) -> Table:
    """Lecture requests per agency and status, with attendance of delivered lectures (one query)."""
    from partners.models import LectureRequest

    Status = LectureRequest.Status
    start, end = _bounds(filters)
    results = list(
        LectureRequest.objects.visible_to(user)
        .annotate(when=Coalesce("scheduled_start", "preferred_start_1")).filter(when__gte=start, when__lt=end)
        .values("agency__name_ko", "agency__order")
        .annotate(**{s.value: Count("id", filter=Q(status=s.value)) for s in Status},
                  total=Count("id"),
                  attendance=Coalesce(Sum("attendance", filter=Q(status=Status.DELIVERED)), 0))
        .order_by("agency__order", "agency__name_ko")
    )
    rows = [[r["agency__name_ko"], *[r[s.value] for s in Status], r["total"], r["attendance"]] for r in results]
    agencies = [r[0] for r in rows]
    datasets = [{"label": s.label, "stack": "status", "data": [r[1 + i] for r in rows]} for i, s in enumerate(Status)]
    columns = (Column("agency", _("기관"), "Agency"),
               *[Column(s.value, s.label, s.value.capitalize(), True) for s in Status],
               Column("total", _("합계"), "Total", True),
               Column("attendance", _("참석 인원(완료된 강의)"), "Attendance (delivered)", True))
    return Table(
        key="lecture_dispatches", title=_("강사 파견 현황"), columns=columns, rows=rows,
        charts=[_chart("bar", _("기관별 강사 파견 — 상태별"), agencies, datasets, stacked=True, horizontal=True,
                       y_title=_("건수"))],
        note=_("확정 일시(없으면 첫 희망 일시) 기준. 생애 단계 조건은 적용되지 않습니다."),
    )


# --- Matchmaking ----------------------------------------------------------------------------------

def matchmaking_sessions(*, filters: ReportFilters) -> Table:
    """Held meetup sessions in the period: applications, attendance, matches, match rate; counts
    under 5 suppressed (and a rate only where both its counts are shown). One query; no person's
    data, pick or contact is read."""
    from matchmaking.models import MeetupSession, SessionApplication

    start, end = _bounds(filters)
    now = timezone.now()
    results = list(
        MeetupSession.objects.filter(event__starts_at__gte=start, event__starts_at__lt=end, event__starts_at__lte=now)
        .annotate(n_applications=Count("applications", distinct=True),
                  n_attended=Count("applications", filter=Q(applications__status=SessionApplication.Status.ATTENDED),
                                   distinct=True),
                  n_matches=Count("matches", distinct=True))
        .values("event__title_ko", "event__starts_at", "seats_female", "seats_male", "n_applications", "n_attended",
                "n_matches")
        .order_by("event__starts_at", "pk")
    )
    rows, totals = [], {"seats": 0, "applications": 0, "attended": 0, "matches": 0}

    def match_rate(matches, attended):
        if matches < SUPPRESS_BELOW or attended < SUPPRESS_BELOW:
            return SUPPRESSED
        return round(100 * 2 * matches / attended, 1)

    for r in results:
        seats = r["seats_female"] + r["seats_male"]
        rows.append([r["event__title_ko"], f"{timezone.localtime(r['event__starts_at']):%Y-%m-%d}", seats,
                     _suppress(r["n_applications"]), _suppress(r["n_attended"]), _suppress(r["n_matches"]),
                     match_rate(r["n_matches"], r["n_attended"])])
        totals["seats"] += seats
        totals["applications"] += r["n_applications"]
        totals["attended"] += r["n_attended"]
        totals["matches"] += r["n_matches"]
    if rows:
        rows.append([str(_("합계")), "", totals["seats"], _suppress(totals["applications"]),
                     _suppress(totals["attended"]), _suppress(totals["matches"]),
                     match_rate(totals["matches"], totals["attended"])])
    sessions = rows[:-1]

    def plot(value):
        return None if value == SUPPRESSED else value

    columns = (Column("session", _("회차"), "Session"), Column("date", _("날짜"), "Date"),
               Column("seats", _("자리"), "Seats", True), Column("applications", _("신청"), "Applications", True),
               Column("attended", _("참석"), "Attended", True), Column("matches", _("매칭"), "Matches", True),
               Column("match_rate", _("매칭률(%)"), "Match rate (%)", True))
    return Table(
        key="matchmaking_sessions", title=_("만남 행사 신청·참석·매칭 (집계)"), columns=columns, rows=rows,
        charts=[_chart("bar", _("회차별 신청·참석·매칭"), [f"{r[1]} {r[0]}" for r in sessions],
                       [{"label": _("신청"), "data": [plot(r[3]) for r in sessions]},
                        {"label": _("참석"), "data": [plot(r[4]) for r in sessions]},
                        {"label": _("매칭"), "data": [plot(r[5]) for r in sessions]}], y_title=_("명·쌍"))],
        note=_("5 미만인 수는 '<5'로 가립니다. 매칭률 = 매칭된 참석자 ÷ 참석자. 열린 회차만, "
               "생애 단계 조건은 적용되지 않습니다."),
    )


# --- The dashboard ------------------------------------------------------------------------------

TABLE_KEYS = ("applications_by_month", "program_decisions", "event_fill", "partner_activities",
              "commitments_progress", "lecture_dispatches", "matchmaking_sessions")
CITY_ONLY = {"applications_by_month", "program_decisions", "matchmaking_sessions"}


def table_keys_for(scope: ReportScope) -> tuple[str, ...]:
    return tuple(k for k in TABLE_KEYS if scope.is_city or k not in CITY_ONLY)


def report_table(key: str, *, user, scope: ReportScope, filters: ReportFilters) -> Table:
    """One dashboard table by key (KeyError for an unknown key or one the scope may not see)."""
    if key not in table_keys_for(scope):
        raise KeyError(key)
    if key == "applications_by_month":
        return applications_by_month(user=user, filters=filters)
    if key == "program_decisions":
        return program_decisions(user=user, filters=filters)
    if key == "event_fill":
        return event_fill(user=user, scope=scope, filters=filters)
    if key == "partner_activities":
        return partner_activities(user=user, filters=filters)
    if key == "commitments_progress":
        return commitments_progress(user=user, filters=filters)
    if key == "lecture_dispatches":
        return lecture_dispatches(user=user, filters=filters)
    return matchmaking_sessions(filters=filters)


def dashboard(*, user, scope: ReportScope, filters: ReportFilters) -> list[Table]:
    """Every table the user may see, in page order: one aggregate query each."""
    return [report_table(key, user=user, scope=scope, filters=filters) for key in table_keys_for(scope)]


# --- Detail exports (rows as tuples, streamed with .iterator()) --------------------------------------

def application_export_rows(*, user, filters: dict) -> QuerySet:
    """Submitted applications with the admin's filters, as value tuples. No contact is selected."""
    from programs.models import Application

    qs = Application.objects.visible_to(user).exclude(status=Application.Status.DRAFT)
    qs = _date_filter(qs, "submitted_at", filters)
    if filters.get("program"):
        qs = qs.filter(program_id=filters["program"])
    if filters.get("stage"):
        qs = qs.filter(program__life_stage=filters["stage"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.order_by("submitted_at", "pk").values_list(
        "reference", "program__title_ko", "program__life_stage", "status", "applicant__name", "submitted_at",
        "decided_at")


def attendee_export_rows(*, user, filters: dict) -> QuerySet:
    """Registrations (not cancelled) of events the user manages, as value tuples. Names only."""
    from events.models import Event, Registration

    events = Event.objects.managed_by(user)
    events = _date_filter(events, "starts_at", filters)
    if filters.get("stage"):
        events = events.with_stage(filters["stage"])
    return (Registration.objects.visible_to(user).filter(event__in=events.values("pk"))
            .exclude(status=Registration.Status.CANCELLED)
            .order_by("event__starts_at", "event_id", "created_at", "pk")
            .values_list("event__title_ko", "event__starts_at", "user__name", "party_size", "status", "created_at",
                         "checked_in_at"))


def activity_export_rows(*, user, filters: dict) -> QuerySet:
    from partners.models import ActivityReport

    qs = ActivityReport.objects.visible_to(user)
    if filters.get("start"):
        qs = qs.filter(date__gte=filters["start"])
    if filters.get("end"):
        qs = qs.filter(date__lte=filters["end"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.order_by("date", "pk").values_list(
        "agency__name_ko", "clause__number", "date", "title", "participants", "status", "submitted_by__name",
        "submitted_at", "decided_at")


def lecture_export_rows(*, user, filters: dict) -> QuerySet:
    """Lecture requests with the lecturer's name only (the roster's phone and e-mail stay out)."""
    from partners.models import LectureRequest

    qs = LectureRequest.objects.visible_to(user).annotate(when=Coalesce("scheduled_start", "preferred_start_1"))
    qs = _date_filter(qs, "when", filters)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.order_by("when", "pk").values_list(
        "agency__name_ko", "topic", "audience", "expected_size", "venue", "status", "lecturer__name",
        "scheduled_start", "scheduled_end", "attendance", "created_at")


def _date_filter(qs: QuerySet, field_name: str, filters: dict) -> QuerySet:
    tz = timezone.get_current_timezone()
    if filters.get("start"):
        qs = qs.filter(**{f"{field_name}__gte": datetime.combine(date.fromisoformat(filters["start"]), time.min,
                                                                  tzinfo=tz)})
    if filters.get("end"):
        end = date.fromisoformat(filters["end"])
        qs = qs.filter(**{f"{field_name}__lt": datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)})
    return qs
