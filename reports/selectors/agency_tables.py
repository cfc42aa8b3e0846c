"""The dashboard tables agency staff see too, limited to their own agency: event fill, partner
activities, commitments against activities and lecture dispatches.

Counts of people (places taken, attendance, the waitlist, participants) follow the small-count rule
(``gwangmyeong_portal.small_counts``), and so does every rate built on one; counts of activity
reports, commitments and lecture requests are the agencies' work, not people, and are shown whole.
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gwangmyeong_portal import small_counts

from ..forms import ReportFilters
from .scope import Column, ReportScope, Table, chart_data, period_bounds, rate_of

MAX_EVENTS = 100  # events shown in the fill-rate chart (the latest ones in the period)


# --- Events -------------------------------------------------------------------------------------

def event_fill(*, user, scope: ReportScope, filters: ReportFilters) -> Table:
    """Per event needing registration: capacity, places taken, attendance, waitlist (one query)."""
    from events.models import Event, Registration

    start, end = period_bounds(filters)
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
    hidden, cell = small_counts.is_hidden, small_counts.cell
    for row in results:
        past = row["starts_at"] <= now
        held, attended = row["held"], row["attended"]
        # The capacity is public: a fill rate beside it would give a hidden number of places away.
        fill = rate_of(held, row["capacity"])
        if fill is not None and hidden(held):
            fill = small_counts.withheld()
        attendance = rate_of(attended, held) if past else None
        if attendance is not None and (hidden(held) or hidden(attended)):
            attendance = small_counts.withheld()
        rows.append([row["title_ko"], f"{timezone.localtime(row['starts_at']):%Y-%m-%d %H:%M}", row["capacity"],
                     cell(held), cell(attended) if past else None, cell(row["waitlisted"]), fill, attendance])
    plot = small_counts.plot
    labels = [f"{r[1][5:10]} {r[0]}" for r in rows]
    columns = (Column("event", _("행사"), "Event"), Column("starts_at", _("일시"), "Date and time"),
               Column("capacity", _("정원"), "Capacity", True), Column("held", _("신청(자리)"), "Places taken", True),
               Column("attended", _("참석"), "Attended", True), Column("waitlisted", _("대기"), "Waitlisted", True),
               Column("fill_rate", _("채움률(%)"), "Fill rate (%)", True),
               Column("attendance_rate", _("참석률(%)"), "Attendance rate (%)", True))
    return Table(
        key="event_fill", title=_("행사 채움률과 참석"), columns=columns, rows=rows,
        charts=[chart_data("bar", _("행사별 채움률과 참석률(%)"), labels,
                       [{"label": _("채움률(%)"), "data": [plot(r[6]) for r in rows]},
                        {"label": _("참석률(%)"), "data": [plot(r[7]) for r in rows]}], percent=True,
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
    rows = [[r["agency__name_ko"], r["clause__number"], r["accepted"], r["pending"],
             small_counts.cell(r["participants"])] for r in results]
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
        charts=[chart_data("bar", _("기관별 승인된 활동 — 조항별"), agencies, datasets, stacked=True, horizontal=True,
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
        charts=[chart_data("bar", _("약속(연간 목표)과 승인된 활동"), labels,
                       [{"label": _("연간 목표"), "data": [r[3] for r in rows]},
                        {"label": _("기간 중 승인된 활동"), "data": [r[5] for r in rows]}], horizontal=True,
                       y_title=_("건수"))],
        note=_("목표는 연간 기준입니다. 1년이 아닌 기간을 고르면 비교에 주의하세요."),
    )


def lecture_dispatches(*, user, filters: ReportFilters) -> Table:
    """Lecture requests per agency and status, with attendance of delivered lectures (one query)."""
    from partners.models import LectureRequest

    Status = LectureRequest.Status
    start, end = period_bounds(filters)
    results = list(
        LectureRequest.objects.visible_to(user)
        .annotate(when=Coalesce("scheduled_start", "preferred_start_1")).filter(when__gte=start, when__lt=end)
        .values("agency__name_ko", "agency__order")
        .annotate(**{s.value: Count("id", filter=Q(status=s.value)) for s in Status},
                  total=Count("id"),
                  attendance=Coalesce(Sum("attendance", filter=Q(status=Status.DELIVERED)), 0))
        .order_by("agency__order", "agency__name_ko")
    )
    rows = [[r["agency__name_ko"], *[r[s.value] for s in Status], r["total"], small_counts.cell(r["attendance"])]
            for r in results]
    agencies = [r[0] for r in rows]
    datasets = [{"label": s.label, "stack": "status", "data": [r[1 + i] for r in rows]} for i, s in enumerate(Status)]
    columns = (Column("agency", _("기관"), "Agency"),
               *[Column(s.value, s.label, s.value.capitalize(), True) for s in Status],
               Column("total", _("합계"), "Total", True),
               Column("attendance", _("참석 인원(완료된 강의)"), "Attendance (delivered)", True))
    return Table(
        key="lecture_dispatches", title=_("강사 파견 현황"), columns=columns, rows=rows,
        charts=[chart_data("bar", _("기관별 강사 파견 — 상태별"), agencies, datasets, stacked=True, horizontal=True,
                       y_title=_("건수"))],
        note=_("확정 일시(없으면 첫 희망 일시) 기준. 생애 단계 조건은 적용되지 않습니다."),
    )

