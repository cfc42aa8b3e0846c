"""factory_boy factories of the events tests."""

from datetime import timedelta

import factory
from django.utils import timezone

from events.models import Event, Registration
from partners.models import Agency, AgencyMembership


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"agency-{n}")
    name_ko = factory.Sequence(lambda n: f"기관{n}")
    name_en = factory.Sequence(lambda n: f"Agency {n}")
    kind = Agency.Kind.PUBLIC_CORPORATION


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title_ko = factory.Sequence(lambda n: f"행사 {n}")
    type = Event.Type.CLASS
    venue = "광명시민회관"
    address = "경기도 광명시 오리로 613"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    registration_required = True
    capacity = 10
    waitlist_limit = 10
    organiser_office = "여성가족과"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    party_size = 1
    status = Registration.Status.CONFIRMED


def staff_of(agency, email, *, can_manage_events=True):
    from accounts.roles import AGENCY_STAFF, CITIZEN
    from conftest import make_user

    user = make_user(email, groups=(CITIZEN, AGENCY_STAFF), is_staff=True, name=email.split("@")[0])
    AgencyMembership.objects.create(user=user, agency=agency, can_manage_events=can_manage_events)
    return user
