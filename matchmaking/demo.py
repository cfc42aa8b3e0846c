"""Demo data of the meetup registry: verified staff profiles of the eleven institutions (fake
contacts), two held meetups — applications, the draw, attendance, picks and matches, enough for the
city's figures to show above the small-count threshold — and an upcoming meetup open for applications.

Sign in as ``haneul@police.example.go.kr`` or ``bada@koreapost.example.go.kr`` (the demo password)
to see their match on /matchmaking/matches/. Most are verified by their work-mail domain; 새벽 (a
private address) was confirmed by the police station's verifying staff member. The other staff
(``STAFF``) have no usable password.

Sessions are placed relative to today and found by their stable titles: a rerun on the same day
changes nothing, and on a later day moves each session (with its applications, draw and picks) along
with today instead of adding one.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.roles import CITIZEN

from . import services
from .models import DrawRecord, Match, MeetupSession, Pick, Profile, SessionApplication

SEOUL = ZoneInfo("Asia/Seoul")
SERIES_TITLE = "광명시·협약기관 미혼 직원 만남의 날"
# title suffix, English suffix, start (days from today), applications open / close (days before start)
SESSIONS = [
    ("1회", "session 1", -131, 45, 12),
    ("2회", "session 2", -33, 40, 10),
    ("3회", "session 3", 45, 50, 10),
]
VENUE = "광명시민회관 소회의실"

# email (on the agency's demo work-mail domain), name, display name, gender, age, fake contact, intro
PEOPLE = [
    ("haneul@police.example.go.kr", "김하늘", "하늘", Profile.Gender.FEMALE, 31, "010-0000-0101 (데모)",
     "주말에는 안양천을 따라 자전거를 탑니다."),
    ("bada@koreapost.example.go.kr", "이바다", "바다", Profile.Gender.MALE, 33, "데모-메신저-bada",
     "요리와 보드게임을 좋아합니다."),
    ("gureum@fire.example.go.kr", "박구름", "구름", Profile.Gender.MALE, 29, "010-0000-0103 (데모)",
     "등산 동호회에서 활동합니다."),
    ("saebyeok@example.com", "최새벽", "새벽", Profile.Gender.FEMALE, 28, "010-0000-0104 (데모)",
     "광명동굴 근처 카페를 좋아합니다."),
]
_DOMAINS = ["gm.go.kr", "police.example.go.kr", "goegm.example.go.kr", "fire.example.go.kr", "nts.example.go.kr",
            "kepco.example.co.kr", "nhis.example.or.kr", "koreapost.example.go.kr", "korail.example.com",
            "nps.example.or.kr"]
_NAMES = ["별", "솔", "달", "숲", "봄", "이슬", "노을", "들", "비", "산", "샘", "빛", "결", "윤슬", "가람", "나래",
          "다온", "라온", "마루", "보라"]
# Twenty more staff, ten women and ten men, on the institutions' work-mail domains.
STAFF = [(f"staff{n:02d}@{_DOMAINS[n % len(_DOMAINS)]}", f"정{name}", name,
          Profile.Gender.FEMALE if n % 2 else Profile.Gender.MALE, 26 + n % 12, f"010-0000-02{n:02d} (데모)", "")
         for n, name in enumerate(_NAMES, start=1)]


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def _person(email, name, display, gender, age, contact, intro, *, can_sign_in=True) -> Profile:
    from accounts.demo import DEMO_PASSWORD

    user, created = User.objects.get_or_create(email=email, defaults={"name": name})
    if created:
        if can_sign_in:
            user.set_password(DEMO_PASSWORD)
        else:
            user.set_unusable_password()
        user.save()
        user.groups.add(*Group.objects.filter(name=CITIZEN))
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        return profile
    if services.eligibility_for(user=user) is None:
        # No work mail: the police station's verifying staff member confirms her.
        from partners.models import Agency

        staff = User.objects.filter(email="police.staff@example.com").first()
        verification = services.verification_request(user=user, agency=Agency.objects.get(slug="police"))
        services.verification_decide(verification=verification, staff=staff, confirm=True)
    if services.consent_current(user=user) is None:
        services.consent_record(user=user, optional_consent=True)
    return services.profile_create(
        user=user, display_name=display, gender=gender, birth_year=timezone.localtime().year - age, contact=contact,
        declared_unmarried=True, show_institution=True, intro=intro,
    )


def _clerk() -> User | None:
    return (User.objects.filter(email="clerk@example.com").first()
            or User.objects.filter(is_superuser=True).order_by("pk").first())


def _when(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SEOUL)


def _shift(session: MeetupSession, delta: timedelta) -> None:
    """Move a session and everything dated in it by ``delta`` (a rerun on a later day)."""
    fields = ["applications_open_at", "applications_close_at", "pick_deadline", "drawn_at", "attendance_marked_at"]
    MeetupSession.objects.filter(pk=session.pk).update(**{f: F(f) + delta for f in fields})
    from events.models import Event

    Event.objects.filter(pk=session.event_id).update(starts_at=F("starts_at") + delta, ends_at=F("ends_at") + delta)
    SessionApplication.objects.filter(session=session).update(applied_at=F("applied_at") + delta)
    Pick.objects.filter(session=session).update(created_at=F("created_at") + delta)
    Match.objects.filter(session=session).update(created_at=F("created_at") + delta)
    DrawRecord.objects.filter(session=session).update(drawn_at=F("drawn_at") + delta)


def _hold(session: MeetupSession, profiles: list[Profile], clerk: User) -> None:
    """A held meetup's story: everyone applied, the draw, attendance (two no-shows), then picks —
    six mutual pairs (하늘 and 바다 first) and a few one-sided choices."""
    start = session.event.starts_at
    applied = set(session.applications.values_list("profile_id", flat=True))
    for profile in profiles:
        if profile.pk not in applied:
            services.session_apply(session=session, profile=profile, now=session.applications_close_at - timedelta(days=2))
    services.session_draw(session=session, drawn_by=clerk, now=session.applications_close_at + timedelta(hours=16))
    absent = {profiles[-1].pk, profiles[-2].pk}
    services.attendance_mark(session=session, attended_profile_ids=[p.pk for p in profiles if p.pk not in absent],
                             marked_by=clerk, now=start + timedelta(hours=4))
    session.refresh_from_db()
    attendees = services.attendee_ids(session)
    women = [p for p in profiles if p.gender == Profile.Gender.FEMALE and p.pk in attendees]
    men = [p for p in profiles if p.gender == Profile.Gender.MALE and p.pk in attendees]
    after = start + timedelta(days=1)
    for woman, man in list(zip(women, men, strict=False))[:6]:
        services.pick_submit(session=session, picker=woman, picked_ids=[man.pk], now=after)
        services.pick_submit(session=session, picker=man, picked_ids=[woman.pk], now=after)
    for man in men[6:9]:
        services.pick_submit(session=session, picker=man, picked_ids=[women[0].pk], now=after)  # one-sided


def seed() -> None:
    from partners.models import AgencyEmailDomain

    if not AgencyEmailDomain.objects.exists():  # partners demo not loaded: nobody can be verified
        return
    profiles = [_person(*row) for row in PEOPLE] + [_person(*row, can_sign_in=False) for row in STAFF]
    clerk = _clerk()
    if clerk is None:
        return
    today = timezone.localdate()
    now = timezone.now()
    for suffix, suffix_en, days, opens_before, closes_before in SESSIONS:
        title = f"{SERIES_TITLE} ({suffix})"
        day = today + timedelta(days=days)
        start = _when(day, 14)
        session = MeetupSession.objects.filter(event__title_ko=title).select_related("event").first()
        if session is None:
            session = services.session_create(
                title_ko=title, title_en=f"Meetup day for unmarried staff ({suffix_en})", starts_at=start,
                ends_at=start + timedelta(hours=3), applications_open_at=_when(day - timedelta(days=opens_before), 9),
                applications_close_at=_when(day - timedelta(days=closes_before), 18),
                pick_deadline=_when(day + timedelta(days=3), 18), seats_female=10, seats_male=10, venue=VENUE,
                description_ko="광명시와 협약을 맺은 기관의 미혼 직원이 함께하는 만남 행사입니다. 신청은 만남 행사 "
                               "페이지(/matchmaking/)에서 받고, 마감 뒤 공정한 추첨으로 참가자를 정합니다.",
                created_by=clerk,
            )
        elif session.event.starts_at != start:
            _shift(session, start - session.event.starts_at)
            session = MeetupSession.objects.select_related("event").get(pk=session.pk)
        if session.event.ends_at < now and session.drawn_at is None:
            _hold(session, profiles, clerk)
        elif session.event.starts_at > now and session.drawn_at is None:
            # Applications are coming in for the next meetup.
            applied = set(session.applications.values_list("profile_id", flat=True))
            for profile in profiles[2:12]:
                if profile.pk not in applied and session.applications_open_at < now < session.applications_close_at:
                    services.session_apply(session=session, profile=profile,
                                           now=session.applications_open_at + timedelta(hours=1))
