"""Demo events, placed relative to today so the calendar is alive on any date: the neighbourhood
fair 6–8 weeks ahead with its talks and booths, two weekly class series running around today (the
next sessions full, with a waitlist), a population-education lecture hosted by a partner agency,
and events over the last two months and the next four — with the demo crowd's registrations,
attendance and feedback, so the clerk's event-fill table has figures to read.

Idempotent, also on a later day: every event is found by a stable key (its title, and its parent
or series) and moved to its date relative to today; a series' occurrences are moved slot by slot,
so a run a week later still leaves one row per weekly session.
"""

from datetime import date, datetime, time, timedelta
from random import Random
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
R = Registration.Status


def at(day: date, hh: int = 0, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=SEOUL)


def weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def fair_day(today: date | None = None) -> date:
    """The Saturday 45–51 days from today: always 6 to 8 weeks ahead."""
    return weekday_on_or_after((today or timezone.localdate()) + timedelta(days=45), 5)


def _event(*, title_ko: str, starts_at: datetime, parent: Event | None = None, **fields) -> Event:
    """The demo event of this title (under ``parent``), created or moved to ``starts_at``."""
    if "life_stages" in fields:
        fields["life_stages"] = stages_to_text(fields["life_stages"])
    fields.setdefault("organiser_office", WOMEN_FAMILY if fields.get("organiser") is None else "")
    fields.update(starts_at=starts_at, parent=parent)
    event = Event.objects.filter(title_ko=title_ko, parent=parent, series=None).order_by("pk").first()
    if event is None:
        return Event.objects.create(title_ko=title_ko, **fields)
    changed = [name for name, value in fields.items() if getattr(event, name) != value]
    if changed:
        for name in changed:
            setattr(event, name, fields[name])
        event.save()
    return event


# Programs each booth or talk presents (slugs of programs.demo); its QR poster records interest in them.
BOOTH_PROGRAMS = {
    "부부가 함께 듣는 출산 준비 특강": ["couples-prenatal-class", "birth-incentive"],
    "예비부부·신혼부부 무료 건강검진 상담": ["newlywed-health-checkup"],
    "장난감도서관 놀이 체험": ["toy-library"],
    "육아종합지원센터·야간보육 상담": ["childcare-support-center", "night-childcare"],
    "청년 잡스타트·창업 지원 상담": ["youth-job-start", "youth-job-go", "youth-startup-center", "youth-startup-fund"],
    "신혼부부 전세임대 설명회": ["jeonse-rental-housing"],
}

# title_ko, title_en, start (h, m), minutes, venue, stages, capacity, party size, waitlist, questions, share booked
FAIR_PARTS = [
    ("부부가 함께 듣는 출산 준비 특강", "Getting ready for birth: a talk for couples", (11, 0), 60, "광명시민회관 대공연장",
     [P], 120, 2, 20, [{"key": "due_month", "label_ko": "출산 예정 월(선택)", "label_en": "Due month (optional)"}], 0.5),
    ("예비부부·신혼부부 무료 건강검진 상담", "Free health checkups for engaged and newly married couples", (10, 0), 420,
     "광명시청 앞 광장 1번 부스", [P], 60, 2, 10, [], 0.4),
    ("장난감도서관 놀이 체험", "Toy library play corner", (10, 30), 90, "광명시청 앞 광장 2번 부스", [C], 24, 3, 10, [],
     1.2),
    ("육아종합지원센터·야간보육 상담", "Childcare support centre and night-time childcare", (13, 0), 120,
     "광명시청 앞 광장 3번 부스", [C], 30, 1, 5, [], 0.6),
    ("청년 잡스타트·창업 지원 상담", "Youth Job-Start and startup support", (14, 0), 120, "광명시청 앞 광장 4번 부스", [J],
     30, 1, 5, [], 0.5),
    ("신혼부부 전세임대 설명회", "Jeonse rental housing for newlyweds: briefing", (15, 30), 60, "광명시민회관 소공연장", [J],
     50, 2, 10, [], 0.4),
]


def seed_fair(today: date | None = None) -> Event:
    today = today or timezone.localdate()
    day = fair_day(today)
    closes = at(day - timedelta(days=1), 18)
    fair = _event(
        title_ko="아이와 맘 편한 우리동네 박람회", title_en="Child- and Mom-Friendly Neighbourhood Fair",
        starts_at=at(day, 10), ends_at=at(day, 17), type=Event.Type.FAIR,
        life_stages=[P, C, J], venue="광명시청 앞 광장·광명시민회관", address=CITY_HALL, audience="누구나",
        description_ko="임신·출산부터 보육·교육, 일자리·주거까지 광명시의 생애주기 정책을 한자리에서 만나는 "
                       "동네 박람회입니다. 특강과 상담 부스는 자리가 한정되어 있어 미리 신청해 주세요. "
                       "박람회장 입장은 신청 없이 누구나 할 수 있습니다.",
        description_en="The city's life-stage policies — pregnancy and birth, childcare and education, jobs and "
                       "housing — in one neighbourhood fair. Talks and advice booths have limited places: please "
                       "register. Entry to the fair itself is free and open to all.",
        registration_required=False,
    )
    for title_ko, title_en, (hh, mm), minutes, venue, stages, capacity, party, waitlist, questions, share in FAIR_PARTS:
        start = at(day, hh, mm)
        part = _event(
            title_ko=title_ko, title_en=title_en, starts_at=start, ends_at=start + timedelta(minutes=minutes),
            parent=fair, type=Event.Type.FAIR, life_stages=stages, venue=venue, address=CITY_HALL,
            audience="누구나", registration_required=True, registration_opens_at=None, registration_closes_at=closes, capacity=capacity, party_size_max=party, waitlist_limit=waitlist,
            offer_hold_hours=12, questions=questions,
            description_ko=f"{title_ko} — 아이와 맘 편한 우리동네 박람회의 세부 프로그램입니다.",
            description_en=f"{title_en} — part of the Child- and Mom-Friendly Neighbourhood Fair.",
        )
        _link_programs(part, BOOTH_PROGRAMS.get(title_ko, []))
        _fill(part, share=share, today=today)
    return fair


def _link_programs(event: Event, slugs: list[str]) -> None:
    try:
        from programs.models import Program
    except ImportError:  # pragma: no cover - programs always installed; kept for partial checkouts
        return
    wanted = set(Program.objects.filter(slug__in=slugs).values_list("pk", flat=True))
    if set(event.programs.values_list("pk", flat=True)) != wanted:
        event.programs.set(wanted)


# title_ko, fields, weeks before today (first session), weeks after (last), share booked of past / next two / later
SERIES = [
    ("부부가 함께하는 임신·출산 교실", dict(
        title_en="Pregnancy and birth class for couples", type=Event.Type.CLASS, life_stages=P,
        venue="광명시보건소 3층 교육실", address="", audience="임신 중인 부부", registration_required=True,
        capacity=30, party_size_max=2, waitlist_limit=10, offer_hold_hours=24, weekday=5, start_time=time(10, 0),
        duration_minutes=120, registration_opens_days_before=60, registration_closes_hours_before=24,
        description_ko="임신 중인 부부가 함께 출산과 육아를 준비하는 교실입니다. 부부 두 사람이 함께 신청해 주세요. "
                       "교육실 위치는 보건소 안내 데스크에서 알려 드립니다.",
        description_en="Couples expecting a child prepare together for birth and the first months. "
                       "Please register as a couple; the health centre's front desk shows you to the room.",
        questions=[{"key": "weeks", "label_ko": "임신 주수", "label_en": "Weeks of pregnancy", "required": True}],
    ), 5, 8),
    ("육아종합지원센터 부모 교육: 영유아 발달과 놀이", dict(
        title_en="Parent education at the childcare support centre: development and play",
        type=Event.Type.CLASS, life_stages=C, venue="광명시 육아종합지원센터 교육실", address="",
        audience="영유아 자녀를 둔 부모", registration_required=True, capacity=20, party_size_max=1, waitlist_limit=6,
        offer_hold_hours=24, weekday=2, start_time=time(10, 30), duration_minutes=90,
        registration_opens_days_before=30, registration_closes_hours_before=24,
        description_ko="영유아의 발달 단계와 집에서 할 수 있는 놀이를 함께 배우는 부모 교육입니다. "
                       "센터 주소는 여성가족과(02-2680-6716)에 문의해 주세요.",
        description_en="Parents learn about young children's development and play at home together. Please ask "
                       "the Women & Family Division (02-2680-6716) for the centre's address.",
    ), 8, 6),
]


def _place_occurrences(series: EventSeries) -> list[Event]:
    """Move the series' existing sessions onto its weekly slots (first → last date), then let the
    service write any missing slot and drop sessions that fall outside: one row per slot, whatever
    day the demo ran before."""
    tz = timezone.get_current_timezone()
    day = weekday_on_or_after(series.first_date, series.weekday)
    slots = []
    while day <= series.last_date:
        slots.append(timezone.make_aware(datetime.combine(day, series.start_time), tz))
        day += timedelta(days=7)
    existing = list(series.occurrences.order_by("starts_at"))
    kept = {e.starts_at for e in existing if e.starts_at in slots}
    movable = [e for e in existing if e.starts_at not in slots]
    free = [s for s in slots if s not in kept]
    for event, slot in zip(movable, free, strict=False):
        event.starts_at, event.ends_at = slot, slot + timedelta(minutes=series.duration_minutes)
        event.registration_opens_at = slot - timedelta(days=series.registration_opens_days_before)
        event.registration_closes_at = slot - timedelta(hours=series.registration_closes_hours_before)
        event.save()
    for event in movable[len(free):]:
        event.delete()
    return [e for e in services.series_generate_occurrences(series=series) if e.starts_at in slots]


def seed_class_series(today: date) -> list[EventSeries]:
    result = []
    for title_ko, fields, weeks_before, weeks_after in SERIES:
        # A fixed number of weekly sessions, whatever weekday today is.
        first = weekday_on_or_after(today - timedelta(weeks=weeks_before), fields["weekday"])
        last = first + timedelta(weeks=weeks_before + weeks_after - 1)
        series, _ = EventSeries.objects.update_or_create(
            title_ko=title_ko, defaults=dict(organiser=None, organiser_office=WOMEN_FAMILY, first_date=first,
                                             last_date=last, **fields))
        upcoming = 0
        for event in _place_occurrences(series):
            if event.starts_at.date() >= today:
                upcoming += 1
            # The next two sessions are full with people waiting; later ones fill up as they come near.
            share = 0.85 if event.starts_at.date() < today else 1.3 if upcoming <= 2 else 0.5 if upcoming <= 4 else 0.2
            _fill(event, share=share, today=today)
        result.append(series)
    return result


def seed_lecture(today: date) -> Event | None:
    police = Agency.objects.filter(slug="police").first()
    if police is None:
        return None
    day = weekday_on_or_after(today + timedelta(days=20), 3)
    event = _event(
        title_ko="찾아가는 인구교육: 일과 가정이 함께 가는 직장", title_en="Population education: work and family together",
        starts_at=at(day, 14), ends_at=at(day, 16), type=Event.Type.LECTURE, life_stages=[P, C],
        organiser=police, venue="광명경찰서 3층 대회의실", address="",
        audience="광명경찰서 직원과 시민", registration_required=True, capacity=80, waitlist_limit=20,
        registration_opens_at=at(today - timedelta(days=14), 9), registration_closes_at=at(day - timedelta(days=1), 18),
        description_ko="협약에 따라 시가 보내는 전문 강사의 저출산 극복 인구교육입니다. 직원과 시민 누구나 들을 수 있습니다.",
        description_en="A population-education lecture by an expert lecturer sent by the city under the agreement; "
                       "open to staff and citizens.",
    )
    _fill(event, share=0.4, today=today)
    return event


# title_ko, title_en, days from today, (h, m), minutes, type, stages, venue, address, audience, capacity, party,
# waitlist, share booked (None: no registration)
DATED = [
    ("신혼부부·한부모 전세임대 설명회", "Jeonse rental housing briefing for newlyweds and single parents", -58, (14, 0),
     90, Event.Type.PROGRAM_SESSION, [J], "광명시청 대회의실", CITY_HALL, "신혼부부·한부모가족", None, 1, 0, None),
    ("장난감도서관 가족 놀이 한마당", "Toy library family play day", -45, (10, 0), 300, Event.Type.OTHER, [C],
     "광명시 장난감도서관", "", "영유아 가족", 40, 4, 10, 0.95),
    ("청년 잡스타트 참여자 설명회", "Youth Job-Start: briefing for participants", -30, (19, 0), 90,
     Event.Type.PROGRAM_SESSION, [J], "광명시청 중회의실", CITY_HALL, "만 19~39세 청년", 40, 1, 5, 0.8),
    ("신혼부부 무료 건강검진 안내의 날", "Newlyweds' free health checkup information day", -16, (10, 0), 360,
     Event.Type.PROGRAM_SESSION, [P], "광명시보건소 1층 로비", "", "예비부부·신혼부부", None, 1, 0, None),
    ("청년 창업 자금 신청 설명회", "Youth startup fund: how to apply", 12, (19, 0), 90, Event.Type.PROGRAM_SESSION, [J],
     "광명시청 대회의실", CITY_HALL, "창업을 준비하는 청년", 50, 1, 10, 0.6),
    ("장난감도서관 주말 놀이 체험", "Toy library weekend play session", 75, (10, 0), 180, Event.Type.OTHER, [C],
     "광명시 장난감도서관", "", "영유아 가족", 30, 3, 6, 0.3),
    ("육아나눔터 이웃 부모 모임", "Childcare-sharing space: neighbourhood parents' gathering", 100, (10, 30), 120,
     Event.Type.OTHER, [C], "광명시 육아나눔터", "", "영유아 자녀를 둔 부모", 20, 2, 4, 0.1),
    ("일·가정 양립 아빠 육아 특강", "Work and family: a talk for fathers", 118, (19, 30), 90, Event.Type.LECTURE,
     [P, C], "광명시청 대회의실", CITY_HALL, "아빠와 예비 아빠", 60, 1, 10, None),
]


def seed_dated(today: date) -> list[Event]:
    events = []
    for (title_ko, title_en, days, (hh, mm), minutes, kind, stages, venue, address, audience, capacity, party,
         waitlist, share) in DATED:
        start = at(today + timedelta(days=days), hh, mm)
        event = _event(
            title_ko=title_ko, title_en=title_en, starts_at=start, ends_at=start + timedelta(minutes=minutes),
            type=kind, life_stages=stages, venue=venue, address=address, audience=audience,
            registration_required=capacity is not None, capacity=capacity, party_size_max=party,
            waitlist_limit=waitlist,
            registration_opens_at=start - timedelta(days=30) if capacity else None,
            registration_closes_at=start - timedelta(days=1) if capacity else None,
        )
        if share is not None:
            _fill(event, share=share, today=today)
        events.append(event)
    return events


def _crowd() -> list[User]:
    from accounts.demo import crowd_users

    return crowd_users()



def _fill(event: Event, *, share: float, today: date) -> None:
    """The crowd's registrations for ``event``: ``share`` of its capacity booked (above 1: full, the
    rest waiting). Past events: most attended, a few cancelled or not shown. Keyed by (event,
    person); a crowd registration the plan no longer has is removed, so a rerun never adds rows."""
    # Read each time (one query): a cache kept in the module outlived the rows in tests that roll back.
    crowd = _crowd()
    if not crowd or not event.capacity:
        return
    rng = Random(f"{event.title_ko}:{event.series_id}:{event.parent_id}:{event.starts_at:%Y%m%d}")
    people = rng.sample(crowd, len(crowd))
    past = event.starts_at.date() < today
    plan: dict[int, dict] = {}
    held = waiting = 0
    target = round(event.capacity * share)
    for person in people:
        party = rng.randint(1, event.party_size_max)
        if held + party <= min(target, event.capacity):
            roll = rng.random()
            if past:
                status = R.ATTENDED if roll < 0.82 else R.CANCELLED if roll < 0.9 else R.CONFIRMED
            else:
                status = R.CANCELLED if roll < 0.05 else R.CONFIRMED
            if status != R.CANCELLED:
                held += party
        elif not past and held + party > event.capacity and target > event.capacity \
                and waiting + party <= min(event.waitlist_limit, target - event.capacity):
            status, waiting = R.WAITLISTED, waiting + party
        else:
            if held >= min(target, event.capacity) - 1 and (past or waiting >= event.waitlist_limit
                                                            or target <= event.capacity):
                break
            continue
        booked = event.starts_at - timedelta(days=rng.randint(2, 20))
        plan[person.pk] = dict(
            party_size=party, status=status, consent_version=CONSENT_VERSION, consented_at=booked,
            provision_consented_at=booked if event.shares_with_organiser else None,
            checked_in_at=event.starts_at + timedelta(minutes=rng.randint(0, 15)) if status == R.ATTENDED else None,
            cancelled_at=booked + timedelta(days=1) if status == R.CANCELLED else None,
            offer_expires_at=None,
        )
    existing = {r.user_id: r for r in event.registrations.filter(user__in=crowd)}
    stale = [r.pk for user_id, r in existing.items() if user_id not in plan]
    if stale:
        Registration.objects.filter(pk__in=stale).delete()
    new = []
    for user_id, values in plan.items():
        registration = existing.get(user_id)
        if registration is None:
            new.append(Registration(event=event, user_id=user_id, **values))
        elif any(getattr(registration, k) != v for k, v in values.items()):
            Registration.objects.filter(pk=registration.pk).update(**values)
    Registration.objects.bulk_create(new)


def seed_registrations(today: date, fair: Event) -> None:
    """The signed-in demo citizen: attended the toy-library play day (and said how it went), and has
    a place at the fair's talk for couples."""
    citizen = User.objects.filter(email="citizen@example.com").first()
    if citizen is None:
        return
    play_day = Event.objects.filter(title_ko="장난감도서관 가족 놀이 한마당", parent=None, series=None).first()
    if play_day is not None:
        booked = play_day.starts_at - timedelta(days=16)
        registration, _ = Registration.objects.update_or_create(
            event=play_day, user=citizen,
            defaults={"party_size": 3, "status": R.ATTENDED, "checked_in_at": play_day.starts_at + timedelta(minutes=5),
                      "consent_version": CONSENT_VERSION, "consented_at": booked,
                      "provision_consented_at": booked if play_day.shares_with_organiser else None},
        )
        Feedback.objects.update_or_create(registration=registration,
                                          defaults={"rating": 5, "comment": "아이가 정말 좋아했어요."})
    talk = fair.sub_events.filter(title_ko=FAIR_PARTS[0][0]).first()
    if talk is not None:
        booked = at(today - timedelta(days=3), 20)
        Registration.objects.update_or_create(
            event=talk, user=citizen,
            defaults={"party_size": 2, "status": R.CONFIRMED, "consent_version": CONSENT_VERSION,
                      "consented_at": booked,
                      "provision_consented_at": booked if talk.shares_with_organiser else None},
        )


def seed() -> None:
    today = timezone.localdate()
    fair = seed_fair(today)
    seed_class_series(today)
    seed_lecture(today)
    seed_dated(today)
    seed_registrations(today, fair)
