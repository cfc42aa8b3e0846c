"""Demo data of the meetup registry: four verified staff profiles (fake contacts), a past meetup
with a draw, attendance and one match, and an upcoming meetup open for applications.

Sign in as ``haneul@police.example.go.kr`` or ``bada@koreapost.example.go.kr`` (the demo password)
to see the match on /matchmaking/matches/. Three are verified by their work-mail domain; 새벽 (a
private address) was confirmed by the police station's verifying staff member. Idempotent: a second run changes nothing.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from accounts.roles import CITIZEN

from . import services
from .models import MeetupSession, Profile

SEOUL = ZoneInfo("Asia/Seoul")
PAST_TITLE = "광명시·협약기관 미혼 직원 만남의 날 (가을)"
NEXT_TITLE = "광명시·협약기관 미혼 직원 만남의 날 (봄)"

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


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def _person(email, name, display, gender, age, contact, intro) -> Profile:
    from accounts.demo import DEMO_PASSWORD

    user, created = User.objects.get_or_create(email=email, defaults={"name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
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


def seed() -> None:
    from partners.models import AgencyEmailDomain

    if not AgencyEmailDomain.objects.exists():  # partners demo not loaded: nobody can be verified
        return
    profiles = [_person(*row) for row in PEOPLE]
    clerk = _clerk()
    if clerk is None:
        return
    if not MeetupSession.objects.filter(event__title_ko=PAST_TITLE).exists():
        _past_session(profiles, clerk)
    if not MeetupSession.objects.filter(event__title_ko=NEXT_TITLE).exists():
        now = timezone.now()
        start = timezone.localtime(now + timedelta(days=45)).replace(hour=14, minute=0, second=0, microsecond=0)
        services.session_create(
            title_ko=NEXT_TITLE, title_en="Meetup day for unmarried staff (spring)", starts_at=start,
            ends_at=start + timedelta(hours=3), applications_open_at=now - timedelta(days=1),
            applications_close_at=start - timedelta(days=10), pick_deadline=start + timedelta(days=3),
            seats_female=10, seats_male=10, venue="광명시민회관 소회의실", address="경기도 광명시 오리로 613",
            description_ko="광명시와 협약을 맺은 기관의 미혼 직원이 함께하는 만남 행사입니다. 신청은 만남 행사 "
                           "페이지(/matchmaking/)에서 받고, 마감 뒤 공정한 추첨으로 참가자를 정합니다.",
            created_by=clerk,
        )


def _past_session(profiles: list[Profile], clerk: User) -> None:
    start = _at(2026, 10, 17, 14)
    session = services.session_create(
        title_ko=PAST_TITLE, title_en="Meetup day for unmarried staff (autumn)", starts_at=start,
        ends_at=start + timedelta(hours=3), applications_open_at=_at(2026, 9, 1, 9),
        applications_close_at=_at(2026, 10, 6, 18), pick_deadline=_at(2026, 10, 20, 18), seats_female=10,
        seats_male=10, venue="광명시민회관 소회의실", address="경기도 광명시 오리로 613", created_by=clerk,
    )
    for profile in profiles:
        services.session_apply(session=session, profile=profile, now=_at(2026, 9, 15, 10))
    services.session_draw(session=session, drawn_by=clerk, now=_at(2026, 10, 7, 10))
    services.attendance_mark(session=session, attended_profile_ids=[p.pk for p in profiles], marked_by=clerk,
                             now=_at(2026, 10, 17, 18))
    haneul, bada, gureum, _ = profiles
    after = _at(2026, 10, 18, 9)
    services.pick_submit(session=session, picker=haneul, picked_ids=[bada.pk], now=after)
    services.pick_submit(session=session, picker=bada, picked_ids=[haneul.pk], now=after)  # the match
    services.pick_submit(session=session, picker=gureum, picked_ids=[haneul.pk], now=after)  # one-sided
