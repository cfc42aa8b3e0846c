"""A small city for the open data API's tests: programs (published, draft, a facility), events
(public, private, a meetup, a fair with a talk, a weekly series), agencies and the agreement — and
people with personal data around them (applications, registrations, a meetup profile, access-log
rows), so the tests can prove none of it leaks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_user
from events.models import Event, EventSeries, Registration
from gwangmyeong_portal.access_log import access_log_record
from programs.models import Application, Program
from tests.events.factories import EventFactory, RegistrationFactory
from tests.partners.factories import AgencyFactory, AgreementFactory, ClauseFactory
from tests.programs.factories import HouseholdTagFactory, ProgramFactory, RequiredDocumentFactory

SECRETS = {
    "names": ["박비밀", "최신청", "홍참가"],
    "emails": ["secret.applicant@example.com", "secret.registrant@example.com", "meetup.person@police.example"],
    "phones": ["010-9999-1234", "010-8888-5678"],
    "texts": ["아이 이름 비밀", "주민번호 900101", "meetup-contact-SECRET"],
}


@pytest.fixture
def city(db):
    today = timezone.localdate()
    now = timezone.now()
    tag = HouseholdTagFactory(code="multi_child", name_ko="다자녀", name_en="Multi-child")
    incentive = ProgramFactory(slug="birth-incentive", title_ko="출산 장려금", title_en="Birth incentive",
                               amount_max=2_000_000, opens_on=today - timedelta(days=5),
                               closes_on=today + timedelta(days=20), legal_basis_ko="광명시 출산장려 조례",
                               eligibility_rules=[{"field": "resident", "op": "eq", "value": True,
                                                   "label_ko": "광명시 거주", "label_en": "Lives in Gwangmyeong"}],
                               household_tags=[tag])
    RequiredDocumentFactory(program=incentive)
    ProgramFactory(slug="draft-program", title_ko="작성 중 사업", status=Program.Status.DRAFT)
    ProgramFactory(slug="toy-library", title_ko="장난감 도서관", title_en="Toy library", is_facility=True,
                   support_kind=Program.SupportKind.FACILITY, apply_method=Program.ApplyMethod.NONE,
                   address="경기도 광명시 오리로 613", opening_hours_ko="화–토 10:00–18:00",
                   opening_hours_en="Tue–Sat 10:00–18:00")
    police = AgencyFactory(slug="police", name_ko="광명경찰서", name_en="Gwangmyeong Police Station",
                           phone="02-2680-0000")
    agreement = AgreementFactory()
    agreement.parties.add(police)
    for number in range(1, 6):
        ClauseFactory(agreement=agreement, number=number, signatories=[police])

    fair = EventFactory(title_ko="광명 육아 박람회", title_en="Parenting fair", type=Event.Type.FAIR, capacity=None,
                        starts_at=now + timedelta(days=10), registration_required=False)
    talk = EventFactory(title_ko="박람회 강연", parent=fair, starts_at=fair.starts_at + timedelta(hours=1),
                        capacity=2, waitlist_limit=0, organiser=police)
    series = EventSeries.objects.create(title_ko="부부 교실", weekday=2, first_date=today,
                                        last_date=today + timedelta(days=21), start_time="10:00")
    sessions = [EventFactory(title_ko=f"부부 교실 {n}회", series=series, starts_at=now + timedelta(days=2 + 7 * n))
                for n in range(3)]
    full = EventFactory(title_ko="마감된 교실", capacity=1, waitlist_limit=0, starts_at=now + timedelta(days=3))
    private = EventFactory(title_ko="직원 전용 강의", is_public=False)
    meetup = EventFactory(title_ko="미혼 직원 만남의 날", type=Event.Type.MEETUP, is_public=True)

    applicant = make_user(SECRETS["emails"][0], name=SECRETS["names"][0])
    applicant.phone = SECRETS["phones"][0]
    applicant.save(update_fields=["phone"])
    registrant = make_user(SECRETS["emails"][1], name=SECRETS["names"][1])
    Application.objects.create(program=incentive, applicant=applicant, status=Application.Status.SUBMITTED,
                               reference="GM-2026-990001", submitted_at=now,
                               answers={"child_name": SECRETS["texts"][0]}, contact_phone=SECRETS["phones"][1])
    RegistrationFactory(event=full, user=registrant, answers={"note": SECRETS["texts"][1]})
    RegistrationFactory(event=talk, user=applicant, status=Registration.Status.CONFIRMED)
    access_log_record(action="view", actor=make_user("staff.viewer@example.com", name="열람직원"),
                      record_type="programs.Application", reason=SECRETS["texts"][1],
                      detail={"who": SECRETS["emails"][0]})
    return {"incentive": incentive, "fair": fair, "talk": talk, "series": series, "sessions": sessions, "full": full,
            "private": private, "meetup": meetup, "police": police, "agreement": agreement}
