"""Profiles: create, change, keep active, leave, and the retention run that deletes idle ones."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify

from .. import notification_kinds as kinds
from ..models import ConsentRecord, MeetupSession, Pick, Profile, Verification
from .consent import consent_current
from .seats import seat_release
from .verification import eligibility_for


def _check_age(birth_year: int, now: datetime) -> None:
    age = timezone.localtime(now).year - int(birth_year)
    if age < settings.MATCHMAKING_MIN_AGE:
        raise ValidationError(_("만 %(age)s세 이상 성인만 참여할 수 있습니다.") % {"age": settings.MATCHMAKING_MIN_AGE},
                              code="too_young")
    if age > settings.MATCHMAKING_MAX_AGE:
        raise ValidationError(_("%(age)s세 이하만 참여할 수 있습니다.") % {"age": settings.MATCHMAKING_MAX_AGE},
                              code="too_old")


def _check_optional(consent: ConsentRecord, intro: str, interests: str) -> None:
    if (intro.strip() or interests.strip()) and not consent.optional_consent:
        raise ValidationError(
            _("선택 항목(자기소개, 관심사)에 동의하지 않으셔서 저장할 수 없습니다. "
              "비워 두거나 선택 항목에 동의해 주세요."),
            code="optional_not_consented",
        )


@transaction.atomic
def profile_create(*, user, display_name: str, gender: str, birth_year: int, contact: str,
                   declared_unmarried: bool, show_institution: bool = False, intro: str = "",
                   interests: str = "", now: datetime | None = None) -> Profile:
    """Create ``user``'s profile after checking consent, employment, age and the declaration.

    The institution is the one employment was proven for; nobody chooses it freely.
    """
    now = now or timezone.now()
    if Profile.objects.filter(user=user).exists():
        raise ValidationError(_("이미 프로필이 있습니다."), code="exists")
    consent = consent_current(user=user)
    if consent is None:
        raise ValidationError(_("개인정보 수집·이용에 동의하셔야 프로필을 만들 수 있습니다."), code="no_consent")
    eligibility = eligibility_for(user=user, now=now)
    if eligibility is None:
        raise ValidationError(
            _("재직 확인이 되지 않았습니다. 기관 업무 메일을 인증하거나 기관 담당자에게 확인을 요청해 주세요."),
            code="not_verified",
        )
    _check_age(birth_year, now)
    if not declared_unmarried:
        raise ValidationError(_("미혼인 분만 참여할 수 있습니다. 미혼임을 확인해 주세요."), code="not_unmarried")
    if not contact.strip():
        raise ValidationError(_("매칭되었을 때 상대에게 알려 줄 연락처를 입력해 주세요."), code="no_contact")
    _check_optional(consent, intro, interests)
    profile = Profile(
        user=user, display_name=display_name.strip(), gender=gender, birth_year=birth_year,
        institution=eligibility.agency, show_institution=show_institution, intro=intro.strip(),
        interests=interests.strip(), declared_unmarried=True, declared_at=now,
        verification_method=eligibility.method, verified_by=eligibility.verified_by,
        verified_at=eligibility.verified_at, last_active_at=now,
    )
    profile.set_contact(contact)
    profile.full_clean(exclude=["user", "institution", "verified_by"])
    profile.save()
    return profile


@transaction.atomic
def profile_update(*, profile: Profile, display_name: str, birth_year: int, show_institution: bool,
                   intro: str = "", interests: str = "", contact: str = "", now: datetime | None = None) -> Profile:
    """Change what the owner may change; an empty ``contact`` keeps the stored one."""
    now = now or timezone.now()
    consent = consent_current(user=profile.user)
    if consent is None:
        raise ValidationError(_("바뀐 동의서에 다시 동의해 주셔야 프로필을 고칠 수 있습니다."), code="no_consent")
    _check_age(birth_year, now)
    _check_optional(consent, intro, interests)
    profile.display_name, profile.birth_year = display_name.strip(), birth_year
    profile.show_institution = show_institution
    profile.intro, profile.interests = intro.strip(), interests.strip()
    if contact.strip():
        profile.set_contact(contact)
    profile.last_active_at, profile.retention_notice_sent_at = now, None
    profile.full_clean(exclude=["user", "institution", "verified_by"])
    profile.save()
    return profile


def profile_touch(*, profile: Profile, now: datetime | None = None) -> None:
    """Record activity (resets the retention clock). Writes at most once an hour per profile."""
    now = now or timezone.now()
    if profile.last_active_at < now - timedelta(hours=1) or profile.retention_notice_sent_at is not None:
        Profile.objects.filter(pk=profile.pk).update(last_active_at=now, retention_notice_sent_at=None)
        profile.last_active_at, profile.retention_notice_sent_at = now, None


@transaction.atomic
def profile_leave(*, profile: Profile, now: datetime | None = None) -> None:
    """Delete the profile, its contact, its picks (made and received), its applications, the
    owner's consents and verification requests, at once. Matches already made keep a NULL on
    this side: the other person sees "this person left".

    A seat the person held at a drawn meetup that has not started goes to the next person waiting
    of the same gender, exactly as when they withdraw (``seats.seat_release``). The sessions of
    their applications to meetups that have not started are locked first, in id order, so a
    concurrent withdrawal, promotion or draw of those sessions waits (or is waited for) and two
    leavers never deadlock.
    """
    now = now or timezone.now()
    upcoming = (MeetupSession.objects.select_for_update(of=("self",)).select_related("event")
                .filter(applications__profile=profile, event__starts_at__gt=now).order_by("pk"))
    for session in upcoming:
        application = session.applications.filter(profile=profile).select_related("profile").first()
        if application is not None:
            seat_release(session=session, application=application)
    user_id = profile.user_id
    Pick.objects.filter(picker=profile).delete()
    Pick.objects.filter(picked=profile).delete()
    profile.delete()
    ConsentRecord.objects.filter(user_id=user_id).delete()
    Verification.objects.filter(user_id=user_id).delete()


# --- Retention -------------------------------------------------------------------------------------

@transaction.atomic
def retention_run(*, now: datetime | None = None) -> tuple[int, int]:
    """Tell owners of profiles inactive for (retention − notice) days that they will be deleted,
    and delete profiles inactive for the full period whose owner was told at least the notice
    period ago. Returns (noticed, deleted). Safe to run any number of times a day."""
    now = now or timezone.now()
    retention = timedelta(days=settings.MATCHMAKING_RETENTION_DAYS)
    notice = timedelta(days=settings.MATCHMAKING_RETENTION_NOTICE_DAYS)
    to_delete = Profile.objects.filter(last_active_at__lte=now - retention, retention_notice_sent_at__lte=now - notice)
    deleted = 0
    for profile in to_delete.select_for_update():
        profile_leave(profile=profile, now=now)
        deleted += 1
    to_notice = (Profile.objects.filter(last_active_at__lte=now - retention + notice, retention_notice_sent_at=None)
                 .select_related("user").select_for_update())
    noticed = 0
    for profile in to_notice:
        delete_on = max(profile.last_active_at + retention, now + notice)
        notify(recipient=profile.user, kind=kinds.RETENTION_NOTICE.key, link=reverse("matchmaking:landing"),
               context={"delete_on": timezone.localtime(delete_on).strftime("%Y-%m-%d")},
               idempotency_key=f"matchmaking.retention:{profile.pk}:{int(profile.last_active_at.timestamp())}")
        Profile.objects.filter(pk=profile.pk).update(retention_notice_sent_at=now)
        noticed += 1
    return noticed, deleted
