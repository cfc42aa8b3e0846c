"""Demo events: the April 2027 neighbourhood fair with its talks and booths, a weekly couples'
pregnancy class, a population-education lecture hosted by a partner agency, and past events.

Idempotent: events are found by title and start time and updated in place.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from partners.models import Agency

from . import services
from .models import Event, EventSeries, Feedback, Registration, stages_to_text
from .services.registrations import CONSENT_VERSION

SEOUL = ZoneInfo("Asia/Seoul")
WOMEN_FAMILY = "여성가족과"
CITY_HALL = "경기도 광명시 시청로 20"

P, C, J = "pregnancy_birth", "childcare_education", "jobs_housing"


def at(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SEOUL)


def _event(*, title_ko: str, starts_at: datetime, **fields) -> Event:
    if "life_stages" in fields:
        fields["life_stages"] = stages_to_text(fields["life_stages"])
    fields.setdefault("organiser_office", WOMEN_FAMILY if fields.get("organiser") is None else "")
    event, _ = Event.objects.update_or_create(title_ko=title_ko, starts_at=starts_at, defaults=fields)
    return event


FAIR_CLOSES = at(2027, 4, 16, 18)

# Programs each booth or talk presents (slugs of programs.demo); its QR poster records interest in them.
BOOTH_PROGRAMS = {
    "부부가 함께 듣는 출산 준비 특강": ["couples-prenatal-class", "birth-incentive"],
    "예비부부·신혼부부 무료 건강검진 상담": ["newlywed-health-checkup"],
    "장난감도서관 놀이 체험": ["toy-library"],
    "육아종합지원센터·야간보육 상담": ["childcare-support-center", "night-childcare"],
    "청년 잡스타트·창업 지원 상담": ["youth-job-start", "youth-job-go", "youth-startup-center", "youth-startup-fund"],
    "신혼부부 전세임대 설명회": ["jeonse-rental-housing"],
}

# title_ko, title_en, start (h, m), minutes, venue, stages, capacity, party size, waitlist, questions
FAIR_PARTS = [
    ("부부가 함께 듣는 출산 준비 특강", "Getting ready for birth: a talk for couples", (11, 0), 60, "광명시민회관 대공연장",
     [P], 120, 2, 20, [{"key": "due_month", "label_ko": "출산 예정 월(선택)", "label_en": "Due month (optional)"}]),
    ("예비부부·신혼부부 무료 건강검진 상담", "Free health checkups for engaged and newly married couples", (10, 0), 420,
     "광명시청 앞 광장 1번 부스", [P], 60, 2, 10, []),
    ("장난감도서관 놀이 체험", "Toy library play corner", (10, 30), 90, "광명시청 앞 광장 2번 부스", [C], 40, 3, 10, []),
    ("육아종합지원센터·야간보육 상담", "Childcare support centre and night-time childcare", (13, 0), 120,
     "광명시청 앞 광장 3번 부스", [C], 30, 1, 5, []),
    ("청년 잡스타트·창업 지원 상담", "Youth Job-Start and startup support", (14, 0), 120, "광명시청 앞 광장 4번 부스", [J],
     30, 1, 5, []),
    ("신혼부부 전세임대 설명회", "Jeonse rental housing for newlyweds: briefing", (15, 30), 60, "광명시민회관 소공연장", [J],
     50, 2, 10, []),
]


def seed_fair() -> Event:
    fair = _event(
        title_ko="아이와 맘 편한 우리동네 박람회", title_en="Child- and Mom-Friendly Neighbourhood Fair",
        starts_at=at(2027, 4, 17, 10), ends_at=at(2027, 4, 17, 17), type=Event.Type.FAIR,
        life_stages=[P, C, J], venue="광명시청 앞 광장·광명시민회관", address=CITY_HALL, audience="누구나",
        description_ko="임신·출산부터 보육·교육, 일자리·주거까지 광명시의 생애주기 정책을 한자리에서 만나는 "
                       "동네 박람회입니다. 특강과 상담 부스는 자리가 한정되어 있어 미리 신청해 주세요. "
                       "박람회장 입장은 신청 없이 누구나 할 수 있습니다.",
        description_en="The city's life-stage policies — pregnancy and birth, childcare and education, jobs and "
                       "housing — in one neighbourhood fair. Talks and advice booths have limited places: please "
                       "register. Entry to the fair itself is free and open to all.",
        registration_required=False,
    )
    for title_ko, title_en, (hh, mm), minutes, venue, stages, capacity, party, waitlist, questions in FAIR_PARTS:
        start = at(2027, 4, 17, hh, mm)
        part = _event(
            title_ko=title_ko, title_en=title_en, starts_at=start, ends_at=start + timedelta(minutes=minutes),
            parent=fair, type=Event.Type.FAIR, life_stages=stages, venue=venue, address=CITY_HALL,
            audience="누구나", registration_required=True, registration_closes_at=FAIR_CLOSES, capacity=capacity,
            party_size_max=party, waitlist_limit=waitlist, offer_hold_hours=12, questions=questions,
            description_ko=f"{title_ko} — 아이와 맘 편한 우리동네 박람회의 세부 프로그램입니다.",
            description_en=f"{title_en} — part of the Child- and Mom-Friendly Neighbourhood Fair.",
        )
        _link_programs(part, BOOTH_PROGRAMS.get(title_ko, []))
    return fair


def _link_programs(event: Event, slugs: list[str]) -> None:
    try:
        from programs.models import Program
    except ImportError:  # pragma: no cover - programs always installed; kept for partial checkouts
        return
    event.programs.set(Program.objects.filter(slug__in=slugs))


def seed_class_series() -> EventSeries:
    series, _ = EventSeries.objects.update_or_create(
        title_ko="부부가 함께하는 임신·출산 교실",
        defaults=dict(
            title_en="Pregnancy and birth class for couples", type=Event.Type.CLASS, life_stages=P,
            organiser=None, organiser_office=WOMEN_FAMILY, venue="광명시보건소 3층 교육실", address="광명시보건소",
            audience="임신 중인 부부", registration_required=True, capacity=30, party_size_max=2, waitlist_limit=10,
            offer_hold_hours=24, weekday=5, start_time=time(10, 0), duration_minutes=120,
            first_date=date(2027, 3, 6), last_date=date(2027, 5, 29), registration_opens_days_before=150,
            registration_closes_hours_before=24,
            description_ko="임신 중인 부부가 함께 출산과 육아를 준비하는 교실입니다. 부부 두 사람이 함께 신청해 주세요.",
            description_en="Couples expecting a child prepare together for birth and the first months. "
                           "Please register as a couple.",
            questions=[{"key": "weeks", "label_ko": "임신 주수", "label_en": "Weeks of pregnancy", "required": True}],
        ),
    )
    services.series_generate_occurrences(series=series)
    return series


def seed_lecture() -> Event | None:
    police = Agency.objects.filter(slug="police").first()
    if police is None:
        return None
    return _event(
        title_ko="찾아가는 인구교육: 일과 가정이 함께 가는 직장", title_en="Population education: work and family together",
        starts_at=at(2027, 4, 8, 14), ends_at=at(2027, 4, 8, 16), type=Event.Type.LECTURE, life_stages=[P, C],
        organiser=police, venue="광명경찰서 3층 대회의실", address="광명경찰서",
        audience="광명경찰서 직원과 시민", registration_required=True, capacity=80, waitlist_limit=20,
        description_ko="협약에 따라 시가 보내는 전문 강사의 저출산 극복 인구교육입니다. 직원과 시민 누구나 들을 수 있습니다.",
        description_en="A population-education lecture by an expert lecturer sent by the city under the agreement; "
                       "open to staff and citizens.",
    )


def seed_past() -> list[Event]:
    play_day = _event(
        title_ko="장난감도서관 가족 놀이 한마당", title_en="Toy library family play day",
        starts_at=at(2026, 10, 17, 10), ends_at=at(2026, 10, 17, 15), type=Event.Type.OTHER, life_stages=[C],
        venue="광명시 장난감도서관", address=CITY_HALL, audience="영유아 가족", registration_required=True,
        capacity=40, party_size_max=4, waitlist_limit=10,
    )
    housing = _event(
        title_ko="신혼부부 전세임대 상반기 설명회", title_en="Jeonse rental housing briefing (first half)",
        starts_at=at(2026, 9, 5, 14), ends_at=at(2026, 9, 5, 15, 30), type=Event.Type.PROGRAM_SESSION,
        life_stages=[J], venue="광명시청 대회의실", address=CITY_HALL, audience="신혼부부·한부모가족",
        registration_required=False,
    )
    return [play_day, housing]


def seed_registrations(past: list[Event], fair: Event) -> None:
    citizen = User.objects.filter(email="citizen@example.com").first()
    if citizen is None:
        return
    play_day = past[0]
    registration, _ = Registration.objects.update_or_create(
        event=play_day, user=citizen,
        defaults={"party_size": 3, "status": Registration.Status.ATTENDED, "checked_in_at": at(2026, 10, 17, 10, 5),
                  "consent_version": CONSENT_VERSION, "consented_at": at(2026, 10, 1, 9, 0),
                  "provision_consented_at": at(2026, 10, 1, 9, 0) if play_day.shares_with_organiser else None},
    )
    Feedback.objects.update_or_create(registration=registration,
                                      defaults={"rating": 5, "comment": "아이가 정말 좋아했어요."})
    talk = fair.sub_events.filter(title_ko=FAIR_PARTS[0][0]).first()
    if talk is not None and timezone.now() < talk.starts_at:
        Registration.objects.get_or_create(
            event=talk, user=citizen, status=Registration.Status.CONFIRMED,
            defaults={"party_size": 2, "consent_version": CONSENT_VERSION, "consented_at": timezone.now(),
                      "provision_consented_at": timezone.now() if talk.shares_with_organiser else None},
        )


def seed() -> None:
    fair = seed_fair()
    seed_class_series()
    seed_lecture()
    seed_registrations(seed_past(), fair)
