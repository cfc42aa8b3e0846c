"""Fixed test data for the reports: numbers in the tests are computed by hand from what is built here.

Everything happens in 2025 (Seoul time), and the tests ask for the period 2025-01-01 … 2025-12-31, so
no figure depends on today's date.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.roles import AGENCY_STAFF, CITIZEN, CITY_CLERK, role_permissions_sync
from conftest import make_user
from events.models import Registration
from partners.models import ActivityReport, AgencyMembership, LectureRequest
from programs.models import Application, LifeStage
from tests.events.factories import EventFactory, RegistrationFactory
from tests.partners.factories import (
    ActivityReportFactory,
    AgencyFactory,
    ClauseFactory,
    CommitmentFactory,
    LectureRequestFactory,
    LecturerFactory,
)
from tests.programs.factories import ProgramFactory

SEOUL = ZoneInfo("Asia/Seoul")
PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}
CITIZEN_EMAIL = "citizen@example.com"
CITIZEN_PHONE = "010-1234-5678"
LECTURER_PHONE = "010-9999-8888"
LECTURER_EMAIL = "lecturer.secret@example.com"


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SEOUL)


_refs = iter(range(1, 10_000_000))


def application(program, applicant, status, submitted: str | None, decided: str | None = None) -> Application:
    return Application.objects.create(
        program=program, applicant=applicant, single_per_person=False, status=status,
        reference=f"T-{next(_refs):07d}" if submitted else None, submitted_at=at(submitted) if submitted else None,
        decided_at=at(decided) if decided else None, contact_phone=CITIZEN_PHONE,
    )


@pytest.fixture(autouse=True)
def _roles(db):
    role_permissions_sync()


@pytest.fixture
def whole_counts(settings):
    """Show every count, however small: for the tests that check the arithmetic on the hand-countable
    figures above (all of them 1–4 people). The small-count rule itself is tested in test_small_counts.py."""
    settings.SMALL_COUNT_THRESHOLD = 1


@pytest.fixture
def other_clerk(db):
    return make_user("clerk2@example.com", groups=(CITIZEN, CITY_CLERK), is_staff=True, name="박주무관")


@pytest.fixture
def agencies(db):
    return AgencyFactory(slug="agency-a", name_ko="가기관", order=1), AgencyFactory(slug="agency-b", name_ko="나기관",
                                                                                     order=2)


@pytest.fixture
def staff_a(agencies):
    user = make_user("staff@agency-a.example.com", groups=(AGENCY_STAFF,), is_staff=True, name="가직원")
    AgencyMembership.objects.create(user=user, agency=agencies[0], can_report_activities=True,
                                    can_request_lectures=True, can_manage_events=True)
    return user


@pytest.fixture
def data(citizen, agencies):
    """Applications, events, activities, commitments and lectures with hand-countable figures."""
    citizen.phone = CITIZEN_PHONE
    citizen.save(update_fields=["phone"])
    a, b = agencies
    birth = ProgramFactory(slug="birth", title_ko="출산 축하금", life_stage=LifeStage.PREGNANCY_BIRTH)
    toys = ProgramFactory(slug="toys", title_ko="장난감 도서관", life_stage=LifeStage.CHILDCARE_EDUCATION)
    S = Application.Status
    # 출산 축하금: 4 in the period; decided in 10, 4 and 6 days → median 6.0; 2 of 3 approved → 66.7 %.
    application(birth, citizen, S.APPROVED, "2025-03-10", "2025-03-20")
    application(birth, citizen, S.REJECTED, "2025-03-15", "2025-03-19")
    application(birth, citizen, S.APPROVED, "2025-04-02", "2025-04-08")
    application(birth, citizen, S.UNDER_REVIEW, "2025-04-05")
    # 장난감 도서관: one submitted in April.
    application(toys, citizen, S.SUBMITTED, "2025-04-20")
    # Not counted: a draft, and one submitted before the period.
    application(toys, citizen, S.DRAFT, None)
    application(birth, citizen, S.APPROVED, "2024-12-30", "2025-01-03")

    # Events: the city's class (capacity 10) and agency A's talk (capacity 5).
    city_class = EventFactory(title_ko="부부 태교 교실", starts_at=at("2025-05-10", 10), capacity=10)
    talk = EventFactory(title_ko="가기관 강연", starts_at=at("2025-06-01", 14), capacity=5, organiser=a,
                        organiser_office="")
    people = [make_user(f"p{n}@example.com", name=f"참가자{n}") for n in range(5)]
    R = Registration.Status
    RegistrationFactory(event=city_class, user=citizen, party_size=2, status=R.ATTENDED,
                        checked_in_at=at("2025-05-10", 10))
    RegistrationFactory(event=city_class, user=people[0], party_size=1, status=R.ATTENDED,
                        checked_in_at=at("2025-05-10", 10))
    RegistrationFactory(event=city_class, user=people[1], party_size=1, status=R.CONFIRMED)
    RegistrationFactory(event=city_class, user=people[2], party_size=1, status=R.CANCELLED)
    RegistrationFactory(event=city_class, user=people[3], party_size=1, status=R.WAITLISTED)
    RegistrationFactory(event=talk, user=people[4], party_size=1, status=R.ATTENDED, checked_in_at=at("2025-06-01", 14))

    # Partners: clause 1 signed by both, clause 2 by B. Targets: A·1 = 2, B·1 = 1.
    clause1 = ClauseFactory(number=1, signatories=[a, b])
    clause2 = ClauseFactory(number=2, agreement=clause1.agreement, signatories=[b])
    CommitmentFactory(agency=a, clause=clause1, target_count=2)
    CommitmentFactory(agency=b, clause=clause1, target_count=1)
    AR = ActivityReport.Status
    ActivityReportFactory(agency=a, clause=clause1, date=at("2025-02-01").date(), status=AR.ACCEPTED, participants=30)
    ActivityReportFactory(agency=a, clause=clause1, date=at("2025-06-01").date(), status=AR.ACCEPTED, participants=20)
    ActivityReportFactory(agency=a, clause=clause1, date=at("2025-07-01").date(), status=AR.SUBMITTED,
                          submitted_by=staff_user(a))
    ActivityReportFactory(agency=a, clause=clause1, date=at("2024-06-01").date(), status=AR.ACCEPTED)  # before
    ActivityReportFactory(agency=b, clause=clause1, date=at("2025-03-01").date(), status=AR.ACCEPTED, participants=10)
    ActivityReportFactory(agency=b, clause=clause2, date=at("2025-03-02").date(), status=AR.ACCEPTED, participants=5)

    # Lectures: A delivered (35 attended) and requested; B declined.
    lecturer = LecturerFactory(name="김강사", phone=LECTURER_PHONE, email=LECTURER_EMAIL)
    LR = LectureRequest.Status
    LectureRequestFactory(agency=a, status=LR.DELIVERED, lecturer=lecturer, preferred_start_1=at("2025-05-01", 10),
                          scheduled_start=at("2025-05-01", 10), scheduled_end=at("2025-05-01", 12), attendance=35)
    LectureRequestFactory(agency=a, status=LR.REQUESTED, preferred_start_1=at("2025-07-01", 10))
    LectureRequestFactory(agency=b, status=LR.DECLINED, decline_reason="일정 불가",
                          preferred_start_1=at("2025-03-01", 10))
    return {"birth": birth, "toys": toys, "city_class": city_class, "talk": talk, "lecturer": lecturer}


def staff_user(agency):
    return make_user(f"reporter@{agency.slug}.example.com", groups=(AGENCY_STAFF,), is_staff=True, name="보고직원")


def applications_bulk(program, applicant, n: int, *, day: str = "2025-05-05") -> None:
    Application.objects.bulk_create([
        Application(program=program, applicant=applicant, single_per_person=False, status="submitted",
                    reference=f"B-{next(_refs):07d}", submitted_at=at(day) + timedelta(minutes=i))
        for i in range(n)
    ])
