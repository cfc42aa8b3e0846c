"""factory_boy factories of the matchmaking tests."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from matchmaking import services
from matchmaking.models import MeetupSession, Profile, SessionApplication
from partners.models import Agency, AgencyEmailDomain, AgencyMembership


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"mm-agency-{n}")
    name_ko = factory.Sequence(lambda n: f"만남기관{n}")
    name_en = factory.Sequence(lambda n: f"Meetup agency {n}")
    kind = Agency.Kind.PUBLIC_CORPORATION


class AgencyEmailDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyEmailDomain

    agency = factory.SubFactory(AgencyFactory)
    domain = factory.Sequence(lambda n: f"agency{n}.example.go.kr")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Sequence(lambda n: f"사람{n}")
    password = factory.django.Password("correct-horse-battery-staple")

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def add_email(user, email: str, *, verified: bool = True) -> EmailAddress:
    return EmailAddress.objects.create(user=user, email=email, verified=verified, primary=False)


def verifier_for(agency: Agency, email: str | None = None) -> User:
    from django.contrib.auth.models import Group

    from accounts.roles import AGENCY_STAFF

    user = UserFactory(email=email or f"verifier-{agency.slug}@example.com", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=AGENCY_STAFF)[0])
    AgencyMembership.objects.create(user=user, agency=agency, can_verify_employees=True)
    return user


_contact_seq = iter(range(10_000, 99_999))


def make_profile(*, agency: Agency | None = None, gender: str = Profile.Gender.FEMALE, age: int = 30,
                 contact: str | None = None, optional: bool = True, **extra) -> Profile:
    """A verified (work-mail domain), consented profile made through the service."""
    if agency is None:
        agency = AgencyFactory()
    domain = agency.email_domains.first() or AgencyEmailDomainFactory(agency=agency)
    user = UserFactory()
    add_email(user, f"{user.email.split('@')[0]}@{domain.domain}")
    services.consent_record(user=user, optional_consent=optional)
    return services.profile_create(
        user=user, display_name=extra.pop("display_name", f"활동명{user.pk}"), gender=gender,
        birth_year=timezone.localtime().year - age,
        contact=contact or f"010-{next(_contact_seq)}-SECRET", declared_unmarried=True, **extra,
    )


def make_session(*, start_in_days: float = 10, seats_female: int = 2, seats_male: int = 2,
                 open_days_before: float = 10) -> MeetupSession:
    """A session whose event starts ``start_in_days`` from now (negative: in the past).
    Applications open ``open_days_before`` the close and close a day before the event."""
    now = timezone.now()
    starts = now + timedelta(days=start_in_days)
    close = starts - timedelta(days=1)
    return services.session_create(
        title_ko="광명 미혼 직원 만남의 날", starts_at=starts, ends_at=starts + timedelta(hours=3),
        applications_open_at=close - timedelta(days=open_days_before), applications_close_at=close,
        pick_deadline=starts + timedelta(days=3), seats_female=seats_female, seats_male=seats_male,
        venue="광명시민회관",
    )


def attend(session: MeetupSession, *profiles: Profile) -> None:
    """Put profiles straight into the 'attended' state (bypassing the draw) for pick tests."""
    for profile in profiles:
        SessionApplication.objects.update_or_create(
            session=session, profile=profile, defaults={"status": SessionApplication.Status.ATTENDED},
        )
