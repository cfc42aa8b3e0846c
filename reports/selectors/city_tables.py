"""The city-only dashboard tables: applications by month, program decisions and matchmaking sessions.

Their rows carry no agency, so only clerks and superusers see them (``tables.CITY_ONLY``). Every
count of people follows the small-count rule (``gwangmyeong_portal.small_counts``): in the cells,
in the totals and rates that could give a hidden cell away, and in the charts drawn from them.
"""

from __future__ import annotations

import statistics
from datetime import datetime

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, Q, QuerySet, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gwangmyeong_portal import small_counts

from ..forms import ReportFilters
from .scope import Column, Table, chart_data, months_between, period_bounds, rate_of

# --- Applications -------------------------------------------------------------------------------

def _applications(user, filters: ReportFilters) -> QuerySet:
    from programs.models import Application

    start, end = period_bounds(filters)
    qs = (Application.objects.visible_to(user).exclude(status=Application.Status.DRAFT)
          .filter(submitted_at__gte=start, submitted_at__lt=end))
    if filters.stage:
        qs = qs.filter(program__life_stage=filters.stage)
    return qs


def applications_by_month(*, user, filters: ReportFilters) -> Table:
    """Submitted applications per month of submission, by life stage and status (one GROUP BY query).

    A small cell is hidden; where its row's total would give it away, another cell of the row is
    withheld with it, or else the total (``small_counts.protect_row``). A stage's bar is its row's
    total; a status's bar of a month adds up one cell of each stage and is drawn only when none of
    them is hidden or withheld."""
    from programs.models import Application, LifeStage

    statuses = [s for s in Application.Status if s != Application.Status.DRAFT]
    stages = [s for s in LifeStage if not filters.stage or s == filters.stage]
    counts: dict[tuple[str, str, str], int] = {}
    rows_qs = (_applications(user, filters).annotate(month=TruncMonth("submitted_at"))
               .values("month", "program__life_stage", "status").annotate(n=Count("id")).order_by())
    for row in rows_qs:
        month = timezone.localtime(row["month"]).date() if isinstance(row["month"], datetime) else row["month"]
        counts[(f"{month:%Y-%m}", row["program__life_stage"], row["status"])] = row["n"]
    months = [f"{m:%Y-%m}" for m in months_between(filters)]
    columns = (Column("month", _("월"), "Month"), Column("stage", _("생애 단계"), "Life stage"),
               *[Column(s.value, s.label, s.value.replace("_", " ").capitalize(), True) for s in statuses],
               Column("total", _("합계"), "Total", True))
    rows = []
    marks: dict[tuple[str, str], list] = {}
    for month in months:
        for stage in stages:
            cells = [counts.get((month, stage.value, s.value), 0) for s in statuses]
            shown, total = small_counts.protect_row(cells)
            marks[(month, stage.value)] = [*shown, total]
            if sum(cells):
                rows.append([month, str(stage.label), *shown, total])

    def column_sum(month: str, index: int):
        # A status's bar of a month adds up one cell of each stage's row: only if none is hidden.
        cells = [marks[(month, stage.value)][index] for stage in stages]
        return None if any(isinstance(c, small_counts.Hidden) for c in cells) else sum(cells)

    by_stage = [{"label": stage.label, "stack": "stage",
                 "data": [small_counts.plot(marks[(m, stage.value)][-1]) for m in months]}
                for stage in stages]
    by_status = [{"label": s.label, "stack": "status", "data": [column_sum(m, i) for m in months]}
                 for i, s in enumerate(statuses)]
    return Table(
        key="applications_by_month", title=_("월별 신청 (생애 단계·상태별)"), columns=columns, rows=rows,
        charts=[chart_data("bar", _("월별 신청 건수 — 생애 단계별"), months, by_stage, stacked=True, y_title=_("건수")),
                chart_data("bar", _("월별 신청 건수 — 상태별"), months, by_status, stacked=True, y_title=_("건수"))],
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

    Small counts are hidden; the rate is shown only when approved and rejected both are (with one of
    them shown it would give the other away), the median only when five or more (the threshold)
    decisions stand behind it (of one decision it is that person's wait).

    On PostgreSQL the median is part of the one GROUP BY query (``percentile_cont``); on other
    databases a values_list query over the decided applications feeds ``statistics.median``.
    """
    from programs.models import Application

    decided = Q(status__in=Application.DECIDED, decided_at__isnull=False)
    qs = (_applications(user, filters).values("program_id", "program__title_ko", "program__life_stage")
          .annotate(total=Count("id"), approved=Count("id", filter=Q(status=Application.Status.APPROVED)),
                    rejected=Count("id", filter=Q(status=Application.Status.REJECTED)),
                    decided=Count("id", filter=decided))
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
    cell = small_counts.cell
    for row in results:
        median = row["median_days"]
        approved, rejected = row["approved"], row["rejected"]
        if small_counts.is_hidden(approved) or small_counts.is_hidden(rejected):
            rate = small_counts.withheld() if approved + rejected else None
        else:
            rate = rate_of(approved, approved + rejected)
        if median is not None and small_counts.is_hidden(row["decided"]):
            median = small_counts.withheld()
        elif median is not None:
            median = round(median, 1)
        rows.append([row["program__title_ko"], str(stage_labels.get(row["program__life_stage"], "")),
                     cell(row["total"]), cell(approved), cell(rejected), rate, median])
    labels = [r[0] for r in rows]
    plot = small_counts.plot
    columns = (Column("program", _("사업"), "Program"), Column("stage", _("생애 단계"), "Life stage"),
               Column("submitted", _("접수"), "Submitted", True), Column("approved", _("승인"), "Approved", True),
               Column("rejected", _("반려"), "Rejected", True),
               Column("approval_rate", _("승인율(%)"), "Approval rate (%)", True),
               Column("median_days", _("결정까지 중앙값(일)"), "Median days to decision", True))
    return Table(
        key="program_decisions", title=_("사업별 승인율과 결정까지 걸린 날"), columns=columns, rows=rows,
        charts=[chart_data("bar", _("사업별 승인율(%)"), labels,
                       [{"label": _("승인율(%)"), "data": [plot(r[5]) for r in rows]}], horizontal=True, percent=True),
                chart_data("bar", _("사업별 결정까지 중앙값(일)"), labels,
                       [{"label": _("결정까지 중앙값(일)"), "data": [plot(r[6]) for r in rows]}], horizontal=True,
                       y_title=_("일"))],
        note=_("승인율 = 승인 ÷ (승인 + 반려). 기간 안에 접수된 신청 기준."),
    )


# --- Matchmaking ----------------------------------------------------------------------------------

def matchmaking_sessions(*, filters: ReportFilters) -> Table:
    """Held meetup sessions in the period: applications, attendance, matches, match rate; small counts
    suppressed, a total that would reveal one withheld, a rate only where both its counts are
    shown — the registry's own figures (``matchmaking.selectors.city_aggregates``), written as table
    cells. One query; no person's data, pick or contact is read."""
    from matchmaking.selectors import city_aggregates

    start, end = period_bounds(filters)
    figures = city_aggregates(start=start, end=end)

    def cell(value):
        return small_counts.suppressed() if value is None else value

    rows = [[r["title_ko"], f"{timezone.localtime(r['date']):%Y-%m-%d}", r["seats"], cell(r["applications"]),
             cell(r["attended"]), cell(r["matches"]), cell(r["match_rate"])] for r in figures["sessions"]]
    if rows:
        totals, withheld = figures["totals"], set(figures["totals"]["withheld"])

        def total(name):
            return small_counts.withheld() if name in withheld else cell(totals[name])

        rate = small_counts.withheld() if withheld & {"attended", "matches"} else cell(totals["match_rate"])
        rows.append([str(_("합계")), "", totals["seats"], total("applications"), total("attended"), total("matches"),
                     rate])
    sessions = rows[:-1]

    plot = small_counts.plot
    columns = (Column("session", _("회차"), "Session"), Column("date", _("날짜"), "Date"),
               Column("seats", _("자리"), "Seats", True), Column("applications", _("신청"), "Applications", True),
               Column("attended", _("참석"), "Attended", True), Column("matches", _("매칭"), "Matches", True),
               Column("match_rate", _("매칭률(%)"), "Match rate (%)", True))
    return Table(
        key="matchmaking_sessions", title=_("만남 행사 신청·참석·매칭 (집계)"), columns=columns, rows=rows,
        charts=[chart_data("bar", _("회차별 신청·참석·매칭"), [f"{r[1]} {r[0]}" for r in sessions],
                       [{"label": _("신청"), "data": [plot(r[3]) for r in sessions]},
                        {"label": _("참석"), "data": [plot(r[4]) for r in sessions]},
                        {"label": _("매칭"), "data": [plot(r[5]) for r in sessions]}], y_title=_("명·쌍"))],
        note=_("매칭률 = 매칭된 참석자 ÷ 참석자. 열린 회차만, 생애 단계 조건은 적용되지 않습니다."),
    )
