"""Who may join: a verified work e-mail of the agency's domain, a confirmation by a verifying staff
member of the same agency, or that agency's roster — and the refusals, which create nothing."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from matchmaking import services
from matchmaking.models import Profile, RosterEntry, RosterUpload
from notifications.models import Message
from partners.models import AgencyMembership

from .factories import AgencyEmailDomainFactory, AgencyFactory, UserFactory, add_email, make_profile, verifier_for

pytestmark = pytest.mark.django_db


def create(user, **overrides):
    values = dict(user=user, display_name="해오름", gender=Profile.Gender.MALE,
                  birth_year=timezone.localtime().year - 31, contact="010-1234-5678", declared_unmarried=True)
    values.update(overrides)
    return services.profile_create(**values)


def refused_code(user, **overrides) -> str:
    with pytest.raises(ValidationError) as excinfo:
        create(user, **overrides)
    assert not Profile.objects.filter(user=user).exists()
    return excinfo.value.code


def test_verified_work_email_of_the_agency_domain_admits_and_fixes_the_institution():
    domain = AgencyEmailDomainFactory(domain="police.example.go.kr")
    user = UserFactory()
    add_email(user, "hong@police.example.go.kr")
    services.consent_record(user=user, optional_consent=False)
    profile = create(user)
    assert profile.verification_method == Profile.Method.EMAIL_DOMAIN
    assert profile.institution == domain.agency


def test_an_english_reading_employee_is_told_of_the_confirmation_with_the_agencys_english_name():
    agency = AgencyFactory(name_ko="광명경찰서", name_en="Gwangmyeong Police Station")
    user = UserFactory(preferred_language="en")
    verification = services.verification_request(user=user, agency=agency)
    services.verification_decide(verification=verification, staff=verifier_for(agency), confirm=True)
    message = Message.objects.get(recipient=user, kind="matchmaking.verification_confirmed", channel="inapp")
    assert "Gwangmyeong Police Station" in message.body
    assert "광명경찰서" not in message.body + message.subject


def test_unverified_or_wrong_domain_email_is_refused():
    AgencyEmailDomainFactory(domain="police.example.go.kr")
    user = UserFactory()
    add_email(user, "hong@police.example.go.kr", verified=False)  # typed, never proven
    add_email(user, "hong@polices.example.go.kr")  # verified but not an agency domain
    services.consent_record(user=user, optional_consent=False)
    assert services.eligibility_for(user=user) is None
    assert refused_code(user) == "not_verified"


def test_staff_confirmation_by_a_verifier_of_the_same_agency_admits():
    agency = AgencyFactory()
    verifier = verifier_for(agency)
    user = UserFactory()
    verification = services.verification_request(user=user, agency=agency)
    services.verification_decide(verification=verification, staff=verifier, confirm=True)
    services.consent_record(user=user, optional_consent=False)
    profile = create(user)
    assert profile.verification_method == Profile.Method.STAFF_CONFIRMED
    assert profile.verified_by == verifier and profile.institution == agency
    assert Message.objects.filter(recipient=user, kind="matchmaking.verification_confirmed").exists()


def test_staff_of_another_agency_or_without_the_capability_cannot_confirm():
    agency, other = AgencyFactory(), AgencyFactory()
    outsider = verifier_for(other)
    colleague = UserFactory()
    AgencyMembership.objects.create(user=colleague, agency=agency, can_verify_employees=False)
    user = UserFactory()
    verification = services.verification_request(user=user, agency=agency)
    for staff in (outsider, colleague):
        with pytest.raises(PermissionDenied):
            services.verification_decide(verification=verification, staff=staff, confirm=True)
    verification.refresh_from_db()
    assert verification.status == verification.Status.REQUESTED
    assert services.eligibility_for(user=user) is None


def test_roster_of_the_agency_admits_a_verified_address_on_it():
    agency = AgencyFactory()
    verifier = verifier_for(agency)
    user = UserFactory(email="Kim.Staff@Gmail.example.com")
    csv = io.BytesIO(b"email\nkim.staff@gmail.example.com\nnot-an-address\n\nlee@example.com\n")
    csv.name = "직원명단.csv"
    upload = services.roster_import(agency=agency, uploaded_by=verifier, file=csv)
    assert upload.entry_count == 2 and upload.skipped_count == 2  # header and the bad line
    services.consent_record(user=user, optional_consent=False)
    profile = create(user)
    assert profile.verification_method == Profile.Method.ROSTER and profile.institution == agency


def test_a_new_roster_replaces_the_old_one_and_only_verifiers_of_the_agency_may_upload():
    agency = AgencyFactory()
    verifier = verifier_for(agency)
    services.roster_import(agency=agency, uploaded_by=verifier, file=io.BytesIO(b"a@example.com\n"))
    services.roster_import(agency=agency, uploaded_by=verifier, file=io.BytesIO(b"b@example.com\n"))
    assert list(RosterEntry.objects.values_list("email", flat=True)) == ["b@example.com"]
    assert RosterUpload.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.roster_import(agency=agency, uploaded_by=verifier_for(AgencyFactory()),
                               file=io.BytesIO(b"c@example.com\n"))
    assert not RosterEntry.objects.filter(email="c@example.com").exists()


def test_married_under_age_over_age_and_unconsented_are_refused_and_nothing_is_created(settings):
    settings.MATCHMAKING_MAX_AGE = 39
    AgencyEmailDomainFactory(domain="fire.example.go.kr")
    user = UserFactory()
    add_email(user, "park@fire.example.go.kr")
    assert refused_code(user) == "no_consent"
    services.consent_record(user=user, optional_consent=False)
    year = timezone.localtime().year
    assert refused_code(user, declared_unmarried=False) == "not_unmarried"
    assert refused_code(user, birth_year=year - 18) == "too_young"
    assert refused_code(user, birth_year=year - 40) == "too_old"
    assert refused_code(user, intro="책과 산책을 좋아합니다") == "optional_not_consented"
    assert create(user, birth_year=year - 19).pk  # the youngest allowed age passes


def test_a_second_profile_is_refused():
    profile = make_profile()
    with pytest.raises(ValidationError):
        create(profile.user)
