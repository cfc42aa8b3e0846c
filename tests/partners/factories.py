"""factory_boy factories for the partners app."""

import datetime as dt
import itertools

import factory
from django.utils import timezone

from accounts.roles import AGENCY_STAFF
from conftest import make_user
from partners.models import (
    ActivityReport,
    Agency,
    AgencyMembership,
    Agreement,
    Clause,
    Commitment,
    Lecturer,
    LectureRequest,
)

_emails = itertools.count(1)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    slug = factory.Sequence(lambda n: f"agency-{n}")
    name_ko = factory.Sequence(lambda n: f"기관{n}")
    name_en = factory.Sequence(lambda n: f"Agency {n}")
    kind = Agency.Kind.PUBLIC_CORPORATION


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    title_ko = "저출산 극복 업무협약"
    title_en = "Agreement against the low birth rate"
    signed_on = dt.date(2017, 2, 2)


class ClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clause
        skip_postgeneration_save = True

    agreement = factory.SubFactory(AgreementFactory)
    number = factory.Sequence(lambda n: n + 1)
    text_ko = factory.Sequence(lambda n: f"조항 내용 {n}")

    @factory.post_generation
    def signatories(self, create, extracted, **kwargs):
        if create and extracted:
            self.signatories.add(*extracted)


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    agency = factory.SubFactory(AgencyFactory)
    clause = factory.SubFactory(ClauseFactory)
    text_ko = "일·가정 양립 캠페인"
    target_count = 2
    unit_ko = "회"


class ActivityReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityReport

    agency = factory.SubFactory(AgencyFactory)
    clause = factory.SubFactory(ClauseFactory)
    date = factory.LazyFunction(lambda: timezone.localdate())
    title = factory.Sequence(lambda n: f"활동 {n}")
    description = "직원 대상 일·가정 양립 캠페인"
    participants = 30


class LecturerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lecturer

    name = factory.Sequence(lambda n: f"강사{n}")
    topics = "인구교육, 일·가정 양립"
    email = factory.Sequence(lambda n: f"lecturer{n}@example.com")


def future(days=7, hour=10):
    base = timezone.localtime() + dt.timedelta(days=days)
    return base.replace(hour=hour, minute=0, second=0, microsecond=0)


class LectureRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LectureRequest

    agency = factory.SubFactory(AgencyFactory)
    audience = LectureRequest.Audience.STAFF
    expected_size = 40
    venue = "대회의실"
    topic = "저출산 인구교육"
    preferred_start_1 = factory.LazyFunction(future)


def staff_of(agency, email=None, **capabilities):
    """An agency staff account (admin access, agency_staff group) with a membership of ``agency``."""
    flags = dict(can_report_activities=True, can_request_lectures=True)
    flags.update(capabilities)
    user = make_user(email or f"staff{next(_emails)}@{agency.slug}.example.com", groups=(AGENCY_STAFF,),
                     is_staff=True)
    AgencyMembership.objects.create(user=user, agency=agency, **flags)
    return user
