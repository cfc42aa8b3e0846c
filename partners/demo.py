"""Demo institutions: the city and the ten agencies of the 2017-02-02 agreement."""

from accounts.models import User

from .models import Agency, AgencyEmailDomain, AgencyMembership

# slug, Korean name, English name, kind, demo work-mail domain
INSTITUTIONS = [
    ("gwangmyeong-city", "광명시", "Gwangmyeong City", Agency.Kind.CITY, "gm.go.kr"),
    ("police", "광명경찰서", "Gwangmyeong Police Station", Agency.Kind.POLICE, "police.example.go.kr"),
    ("education", "광명시교육지원청", "Gwangmyeong Office of Education", Agency.Kind.EDUCATION, "goegm.example.go.kr"),
    ("fire", "광명소방서", "Gwangmyeong Fire Station", Agency.Kind.FIRE, "fire.example.go.kr"),
    ("tax", "광명세무서", "Gwangmyeong Tax Office", Agency.Kind.TAX, "nts.example.go.kr"),
    ("kepco", "한국전력 광명지사", "KEPCO Gwangmyeong Branch", Agency.Kind.PUBLIC_CORPORATION, "kepco.example.co.kr"),
    ("nhis", "국민건강보험공단 광명지사", "National Health Insurance Service, Gwangmyeong Branch",
     Agency.Kind.SOCIAL_INSURANCE, "nhis.example.or.kr"),
    ("post", "광명우체국", "Gwangmyeong Post Office", Agency.Kind.POSTAL, "koreapost.example.go.kr"),
    ("korail", "한국철도공사 광명역", "Korail Gwangmyeong Station", Agency.Kind.PUBLIC_CORPORATION,
     "korail.example.com"),
    ("nps", "국민연금공단 광명지사", "National Pension Service, Gwangmyeong Branch", Agency.Kind.SOCIAL_INSURANCE,
     "nps.example.or.kr"),
    ("ppfk-gyeonggi", "인구보건복지협회 경기지회", "Korea Population, Health and Welfare Association, Gyeonggi Branch",
     Agency.Kind.ASSOCIATION, "ppfk.example.or.kr"),
]

# Demo staff accounts (created by accounts.demo) and the agency each works for.
MEMBERSHIPS = [
    ("police.staff@example.com", "police", dict(can_report_activities=True, can_request_lectures=True,
                                                can_verify_employees=True, can_manage_events=True)),
    ("post.staff@example.com", "post", dict(can_report_activities=True, can_request_lectures=True,
                                            can_verify_employees=True)),
]


def seed_institutions() -> None:
    for order, (slug, name_ko, name_en, kind, domain) in enumerate(INSTITUTIONS):
        agency, _ = Agency.objects.update_or_create(
            slug=slug,
            defaults=dict(name_ko=name_ko, name_en=name_en, kind=kind, is_city=kind == Agency.Kind.CITY,
                          address="경기도 광명시", order=order),
        )
        AgencyEmailDomain.objects.get_or_create(domain=domain, defaults={"agency": agency})
    for email, slug, flags in MEMBERSHIPS:
        user = User.objects.filter(email=email).first()
        if user is not None:
            AgencyMembership.objects.update_or_create(
                user=user, defaults={"agency": Agency.objects.get(slug=slug), **flags}
            )


# --- The agreement, its clauses, commitments, reports and lecturer dispatch ----------------------
# Facts from the city's 2017-02-02 release, restated in our own words.

AGREEMENT = dict(
    title_ko="아이와 맘 편한 도시 만들기 저출산 극복 업무협약",
    title_en="Agreement on a child- and mom-friendly city: overcoming the low birth rate together",
    summary_ko="광명시와 지역의 열 개 공공기관이 저출산을 함께 이겨 내기로 약속했습니다. 기관들은 먼저 "
               "일과 가정이 함께 가는 직장 문화를 만들고, 시는 전문 강사를 보내 인구교육을 돕고, "
               "열한 개 기관의 미혼 직원이 만날 자리를 마련합니다.",
    summary_en="Gwangmyeong City and ten public agencies in the city agreed to take on the low birth rate "
               "together. The agencies begin at home, with a workplace where work and family fit together; "
               "the city sends expert lecturers for population education and arranges meetups for the "
               "unmarried staff of the eleven institutions.",
)

CLAUSES = [
    (1, "저출산 문제를 함께 풀어 가기 위해 서로 힘을 모은다.",
     "Join forces to tackle the low birth rate together."),
    (2, "아이를 낳고 기르는 일이 걱정되지 않는 도시를 함께 만든다.",
     "Build together a city where having and raising children is free of worry."),
    (3, "저출산 극복을 위한 전문 강사 인구교육과 홍보에 서로 협력한다.",
     "Cooperate on population education by expert lecturers, and on publicity, against the low birth rate."),
    (4, "미혼 청년 남녀가 서로 만날 수 있는 자리를 함께 마련한다.",
     "Arrange together occasions where unmarried young men and women can meet."),
    (5, "일과 가정생활을 함께 누릴 수 있는 사회 분위기를 만든다.",
     "Foster a social climate in which work and family life go together."),
]

# clause number, text ko, text en, yearly target, unit ko, unit en — every agency takes these on.
COMMITMENTS = [
    (5, "직원 대상 일·가정 양립 캠페인을 연다.", "Run work-family balance campaigns for staff.", 2, "회", "campaigns"),
    (3, "시가 보내는 전문 강사의 인구교육에 전 직원이 참여한다.",
     "Have all staff attend the population education given by the city's lecturers.", 1, "회", "sessions"),
    (4, "미혼 직원에게 만남 행사를 알리고 참여를 돕는다.",
     "Tell unmarried staff about the meetups and help them take part.", 1, "회", "notices"),
    (2, "시의 생애주기별 출산·양육 정책을 기관 민원 창구에서 안내한다.",
     "Point visitors at the agency's counters to the city's life-cycle policies for parents.", None, "", ""),
]

# agency slug, clause number, title, days ago, participants, status, city comment
REPORTS = [
    ("police", 5, "가족 사랑의 날 정시 퇴근 캠페인", 40, 120, "accepted", ""),
    ("police", 3, "전 직원 저출산 인구교육", 25, 85, "accepted", ""),
    ("police", 2, "민원실 임신부 배려 창구 안내", 10, 0, "submitted", ""),
    ("post", 5, "육아휴직 복귀 직원 간담회", 30, 14, "accepted", ""),
    ("post", 1, "우체국 창구 저출산 극복 홍보물 비치", 12, 0, "returned",
     "홍보물 사진이나 비치 장소 목록을 증빙으로 붙여 다시 제출해 주세요."),
    ("post", 4, "미혼 직원 만남 행사 참여 안내", 3, 9, "draft", ""),
    ("fire", 5, "소방서 가족 초청 체험의 날", 55, 60, "accepted", ""),
    ("korail", 3, "역 이용객 대상 인구 홍보 캠페인", 20, 300, "accepted", ""),
    ("fire", 5, "소방서 가족 초청 체험의 날(중복 입력)", 55, 60, "withdrawn", ""),
]
# Reports whose review went through a return first: (title, the return reason the history keeps).
RETURNED_THEN_ACCEPTED = {
    "전 직원 저출산 인구교육": "참석자 명단(개인정보를 가린 것)을 증빙으로 붙여 주세요.",
}
WITHDRAW_REASON = "같은 활동이 두 번 입력되어 하나를 철회합니다."

LECTURERS = [
    ("박인구", "저출산과 인구 변화, 일·가정 양립", "010-0000-1001", "lecturer1@example.com", "화·목 오후 가능"),
    ("이가족", "가족 친화 직장 문화, 육아휴직 제도", "010-0000-1002", "lecturer2@example.com", "평일 오전 가능"),
    ("최양성", "양성평등과 함께하는 육아", "010-0000-1003", "lecturer3@example.com", "월·수·금 가능, 8월 제외"),
]

# agency slug, topic, audience, size, venue, status, days from now, lecturer index, attendance / reason
LECTURES = [
    ("police", "저출산 시대 함께 일하고 함께 키우기", "staff", 80, "광명경찰서 대회의실", "scheduled", 14, 0, None),
    ("post", "일·가정 양립과 육아휴직 제도 이해", "staff", 30, "광명우체국 2층 회의실", "requested", 21, None, None),
    ("korail", "시민과 함께하는 인구 이야기", "citizens", 100, "광명역 맞이방", "delivered", -20, 1, 92),
    ("tax", "가족 친화 직장 만들기", "affiliated", 40, "광명세무서 강당", "declined", 10, None,
     "희망하신 날짜에 가능한 강사가 없습니다. 다른 날짜로 다시 요청해 주세요."),
]


# The year's routine work, for every partner agency: clause, title, every how many days, first (days ago).
# Numbered rounds ("3차") are the stable key: a later run moves them along with today, adds none.
ROUTINE = [
    (5, "가족 사랑의 날 정시 퇴근 캠페인", 40, 8),
    (3, "직원 대상 저출산 인구교육", 60, 20),
    (2, "민원 창구 생애주기 정책 안내", 90, 30),
    (1, "저출산 극복 공동 홍보 캠페인", 150, 45),
]
# Topics agencies ask the city's lecturers for, round after round across the year.
LECTURE_TOPICS = ["일·가정 양립과 육아휴직 제도", "저출산 시대의 인구 변화", "함께 키우는 가족 문화"]


def _at(days: int, hour: int):
    """Today plus ``days`` at ``hour``:00 (Seoul): the same value all day, so a rerun changes nothing."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    return datetime.combine(timezone.localdate() + timedelta(days=days), time(hour),
                            tzinfo=timezone.get_current_timezone())


def seed_routine(agencies: dict, clauses: dict, staff: dict, clerk, lecturers: list) -> None:
    """Twelve months of accepted activity reports and delivered lectures for all ten agencies, so
    the dashboard's tables hold figures above the small-count threshold."""
    from random import Random

    from .events_bridge import lecture_event_sync
    from .models import ActivityReport

    for agency in (a for a in agencies.values() if not a.is_city):
        author = staff.get(agency.slug)
        for number, base, every, first in ROUTINE:
            rng = Random(f"{agency.slug}:{base}")
            offset = first + rng.randint(0, 9)
            n = 0
            while offset <= 360:
                n += 1
                recent = offset < 12
                report, _ = ActivityReport.objects.update_or_create(
                    agency=agency, title=f"{base} ({n}차)",
                    defaults=dict(
                        clause=clauses[number], date=_at(-offset, 10).date(), participants=rng.randint(12, 160),
                        status="submitted" if recent else "accepted", city_comment="",
                        description=f"{agency.name_ko}에서 진행한 활동입니다: {base}.",
                        created_by=author, submitted_by=author, submitted_at=_at(-offset + 1, 9),
                        decided_by=None if recent else clerk, decided_at=None if recent else _at(-offset + 4, 15),
                    ),
                )
                _routine_history(report)
                offset += every + rng.randint(-5, 5)
        _seed_lecture_rounds(agency, author, clerk, lecturers, lecture_event_sync)


def _routine_history(report) -> None:
    """The review steps of a routine report (submitted, then accepted), where the portal keeps a
    review history (``ActivityReportEvent``, from the partners-admin work). Rewritten only when the
    report moved (a later run), so a rerun the same day writes nothing."""
    try:
        from .models import ActivityReportEvent
    except ImportError:  # a checkout without the review history
        return
    steps = [("draft", "submitted", report.submitted_by, report.submitted_at)]
    if report.decided_at is not None:
        steps.append(("submitted", report.status, report.decided_by, report.decided_at))
    have = list(report.history.order_by("at", "pk").values_list("from_status", "to_status", "actor_id", "at"))
    if have == [(a, b, actor.pk if actor else None, at) for a, b, actor, at in steps]:
        return
    report.history.all().delete()
    ActivityReportEvent.objects.bulk_create(
        ActivityReportEvent(report=report, from_status=a, to_status=b, actor=actor, at=at) for a, b, actor, at in steps)


def _seed_lecture_rounds(agency, author, clerk, lecturers: list, lecture_event_sync) -> None:
    """Lecture requests every 80 days across the year. Each agency has its own lecturer and hour
    (``partners_lecturer_no_overlap`` forbids double-booking a lecturer), and a rerun on a later day
    moves the rounds in the direction of travel, so a round never lands on one not yet moved."""
    from random import Random

    from .models import LectureRequest

    rng = Random(f"{agency.slug}:lectures")
    lecturer = lecturers[agency.order % len(lecturers)]
    hour = 9 + 2 * (agency.order // len(lecturers))
    rounds = []
    for n in range(1, 6):
        days = -330 + (n - 1) * 80 + 2 * agency.order
        roll = rng.random()
        status = ("delivered" if days < -2 and roll < 0.85 else "cancelled" if days < -2
                  else "scheduled" if days < 30 else "requested")
        topic = f"{LECTURE_TOPICS[(n + agency.order) % len(LECTURE_TOPICS)]} ({n}차)"
        rounds.append((topic, days, status, rng.choice(["staff", "staff", "affiliated", "citizens"]),
                       rng.randint(20, 90), rng.randint(15, 80)))
    first = LectureRequest.objects.filter(agency=agency, topic=rounds[0][0]).first()
    if first is not None and first.preferred_start_1 < _at(rounds[0][1], hour):
        rounds.reverse()  # moving forward: the latest round first
    for topic, days, status, audience, size, attendance in rounds:
        booked = status in ("scheduled", "delivered")
        lecture, _ = LectureRequest.objects.update_or_create(
            agency=agency, topic=topic,
            defaults=dict(
                audience=audience, expected_size=size, venue=f"{agency.name_ko} 대회의실", status=status,
                requested_by=author, preferred_start_1=_at(days, hour), preferred_start_2=_at(days + 2, hour),
                lecturer=lecturer if booked else None,
                scheduled_start=_at(days, hour) if booked else None,
                scheduled_end=_at(days, hour + 2) if booked else None,
                attendance=attendance if status == "delivered" else None,
                cancel_reason="기관 사정으로 일정을 취소했습니다." if status == "cancelled" else "",
                decline_reason="", decided_by=clerk if status != "requested" else None,
            ),
        )
        _sync_lecture_event(lecture, clerk, lecture_event_sync)


def _sync_lecture_event(lecture, clerk, lecture_event_sync) -> None:
    """A scheduled lecture's calendar event: created by the service the first time; on a later run
    moved in place (the service would cancel it and create another, a new row each day)."""
    if lecture.status != "scheduled":
        return
    if lecture.event_id is None:
        lecture_event_sync(lecture=lecture, actor=clerk)
        return
    # The calendar's model through the lecture's own link: partners imports events only in the bridge.
    Event = lecture._meta.get_field("event").related_model  # noqa: N806
    Event.objects.filter(pk=lecture.event_id).exclude(
        starts_at=lecture.scheduled_start, ends_at=lecture.scheduled_end).update(
        starts_at=lecture.scheduled_start, ends_at=lecture.scheduled_end)


def _seed_report_history(report, *, staff, clerk, days_ago: int) -> None:
    """The review steps a demo report went through (once: kept if already there)."""
    from .models import ActivityReportEvent

    steps = []
    if report.status != "draft":
        steps.append(("draft", "submitted", staff, "", _at(-days_ago + 1, 9)))
    if report.title in RETURNED_THEN_ACCEPTED:
        steps += [("submitted", "returned", clerk, RETURNED_THEN_ACCEPTED[report.title], _at(-days_ago + 2, 11)),
                  ("returned", "submitted", staff, "", _at(-days_ago + 2, 16))]
    if report.status in ("accepted", "returned"):
        steps.append(("submitted", report.status, clerk, report.city_comment, _at(-days_ago + 3, 15)))
    if report.status == "withdrawn":
        steps.append(("submitted", "withdrawn", clerk, WITHDRAW_REASON, _at(-days_ago + 3, 15)))
    ActivityReportEvent.objects.bulk_create(
        ActivityReportEvent(report=report, from_status=before, to_status=after, actor=actor, note=note, at=at)
        for before, after, actor, note, at in steps)


def seed_agreement() -> None:
    import datetime as dt

    from .events_bridge import lecture_event_sync
    from .models import ActivityReport, Agreement, Clause, Commitment, Lecturer, LectureRequest

    agencies = {a.slug: a for a in Agency.objects.all()}
    partners_ = [a for a in agencies.values() if not a.is_city]
    agreement, _ = Agreement.objects.update_or_create(signed_on=dt.date(2017, 2, 2), defaults=AGREEMENT)
    agreement.parties.set(agencies.values())
    clauses = {}
    for number, text_ko, text_en in CLAUSES:
        clause, _ = Clause.objects.update_or_create(agreement=agreement, number=number,
                                                    defaults=dict(text_ko=text_ko, text_en=text_en))
        clause.signatories.set(partners_)
        clauses[number] = clause
    for agency in partners_:
        for number, text_ko, text_en, target, unit_ko, unit_en in COMMITMENTS:
            Commitment.objects.update_or_create(
                agency=agency, clause=clauses[number], text_ko=text_ko,
                defaults=dict(text_en=text_en, target_count=target, unit_ko=unit_ko, unit_en=unit_en),
            )
    staff = {slug: User.objects.filter(email=email).first() for email, slug, _flags in MEMBERSHIPS}
    clerk = User.objects.filter(groups__name="city_clerk").first()
    for slug, number, title, days_ago, participants, status, comment in REPORTS:
        submitted = status != "draft"
        decided = status in ("accepted", "returned")
        report, _ = ActivityReport.objects.update_or_create(
            agency=agencies[slug], title=title,
            defaults=dict(
                clause=clauses[number], date=_at(-days_ago, 10).date(), participants=participants, status=status,
                description=f"{agencies[slug].name_ko}에서 진행한 활동입니다: {title}.", city_comment=comment,
                created_by=staff.get(slug), submitted_by=staff.get(slug) if submitted else None,
                submitted_at=_at(-days_ago + 1, 9) if submitted else None,
                decided_by=clerk if decided else None, decided_at=_at(-days_ago + 3, 15) if decided else None,
            ),
        )
        if not report.history.exists():
            _seed_report_history(report, staff=staff.get(slug), clerk=clerk, days_ago=days_ago)
    lecturers = []
    for name, topics, phone, email, notes in LECTURERS:
        lecturer, _ = Lecturer.objects.update_or_create(
            name=name, defaults=dict(topics=topics, phone=phone, email=email, availability_notes=notes))
        lecturers.append(lecturer)
    for slug, topic, audience, size, venue, status, days, lecturer_index, extra in LECTURES:
        booked = status in ("scheduled", "delivered")
        lecture, _ = LectureRequest.objects.update_or_create(
            agency=agencies[slug], topic=topic,
            defaults=dict(
                audience=audience, expected_size=size, venue=venue, status=status, requested_by=staff.get(slug),
                preferred_start_1=_at(days, 17), preferred_start_2=_at(days + 2, 10),
                lecturer=lecturers[lecturer_index] if booked else None,
                scheduled_start=_at(days, 17) if booked else None, scheduled_end=_at(days, 19) if booked else None,
                attendance=extra if status == "delivered" else None,
                decline_reason=extra if status == "declined" else "", decided_by=clerk if status != "requested" else None,
            ),
        )
        _sync_lecture_event(lecture, clerk, lecture_event_sync)
    seed_routine(agencies, clauses, staff, clerk, lecturers)


def seed() -> None:
    seed_institutions()
    seed_agreement()
