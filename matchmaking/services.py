"""Writes of the meetup registry: consent, verification, profiles, sessions, the draw, picks,
matches, leaving and retention.

Every refusal is a ``ValidationError`` with a Korean message and a ``code``, raised before
anything is written, so a refused call changes nothing.
"""

from __future__ import annotations

import csv
import io
import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from partners.models import Agency
from partners.selectors import agency_for_email, membership_for

from . import notification_kinds as kinds
from .models import (
    ConsentRecord,
    DrawRecord,
    Match,
    MeetupSession,
    Pick,
    Profile,
    RosterEntry,
    RosterUpload,
    SessionApplication,
    Verification,
)

# Bump when the consent wording in templates/matchmaking/consent.html changes: people who agreed to an
# older wording are asked again.
CONSENT_VERSION = "2025-01"
DRAW_ALGORITHM = "random.Random(seed:gender).shuffle/v1"

Status = SessionApplication.Status


def _format_when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- Consent and eligibility ---------------------------------------------------------------------

def consent_record(*, user, optional_consent: bool, ip_address: str | None = None,
                   now: datetime | None = None) -> ConsentRecord:
    """Store that ``user`` agreed to the current consent text (required items), and whether they
    also agreed to the optional items."""
    return ConsentRecord.objects.create(
        user=user, text_version=CONSENT_VERSION, given_at=now or timezone.now(),
        optional_consent=optional_consent, ip_address=ip_address,
    )


def consent_current(*, user) -> ConsentRecord | None:
    """The user's latest consent to the current text version, or None."""
    return ConsentRecord.objects.filter(user=user, text_version=CONSENT_VERSION).order_by("-given_at", "-pk").first()


def can_verify_for(user, agency_id: int) -> bool:
    """Whether ``user`` may confirm employees of ``agency_id`` (a verifying member of that agency)."""
    if user is None or not getattr(user, "is_active", False):
        return False
    membership = membership_for(user)
    return membership is not None and membership.can_verify_employees and membership.agency_id == agency_id


@dataclass(frozen=True)
class Eligibility:
    method: str
    agency: Agency
    verified_by: object | None
    verified_at: datetime


def eligibility_for(*, user, now: datetime | None = None) -> Eligibility | None:
    """How ``user`` proves they work at one of the eleven institutions, or None.

    1. a verified (allauth) e-mail address whose domain belongs to an active agency;
    2. a confirmation by a verifying staff member of the same agency;
    3. a verified e-mail address on that agency's roster.
    An unverified address counts for nothing: anybody can type an address.
    """
    from allauth.account.models import EmailAddress

    now = now or timezone.now()
    emails = [e.lower() for e in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)]
    for email in emails:
        agency = agency_for_email(email)
        if agency is not None:
            return Eligibility(Profile.Method.EMAIL_DOMAIN, agency, None, now)
    confirmations = (Verification.objects.filter(user=user, status=Verification.Status.CONFIRMED,
                                                 agency__is_active=True)
                     .select_related("agency", "decided_by").order_by("-decided_at"))
    for verification in confirmations:
        if can_verify_for(verification.decided_by, verification.agency_id):
            return Eligibility(Profile.Method.STAFF_CONFIRMED, verification.agency, verification.decided_by,
                               verification.decided_at)
    entry = (RosterEntry.objects.filter(email__in=emails, agency__is_active=True)
             .select_related("agency", "upload").first())
    if entry is not None:
        return Eligibility(Profile.Method.ROSTER, entry.agency, entry.upload.uploaded_by, entry.upload.uploaded_at)
    return None


@transaction.atomic
def verification_request(*, user, agency: Agency) -> Verification:
    """Ask the verifying staff of ``agency`` to confirm that ``user`` works there."""
    verification, created = Verification.objects.get_or_create(user=user, agency=agency)
    if not created and verification.status == Verification.Status.REJECTED:
        verification.status = Verification.Status.REQUESTED
        verification.decided_by, verification.decided_at = None, None
        verification.save(update_fields=["status", "decided_by", "decided_at"])
    return verification


@transaction.atomic
def verification_decide(*, verification: Verification, staff, confirm: bool,
                        now: datetime | None = None) -> Verification:
    """A verifying staff member of the same agency confirms (or declines) an employee."""
    if not can_verify_for(staff, verification.agency_id):
        raise PermissionDenied(_("이 기관의 직원을 확인할 권한이 없습니다."))
    verification = Verification.objects.select_for_update().get(pk=verification.pk)
    new_status = Verification.Status.CONFIRMED if confirm else Verification.Status.REJECTED
    if verification.status == new_status:
        return verification
    verification.status, verification.decided_by, verification.decided_at = new_status, staff, now or timezone.now()
    verification.save(update_fields=["status", "decided_by", "decided_at"])
    if confirm:
        notify(recipient=verification.user, kind=kinds.VERIFICATION_CONFIRMED.key,
               context={"agency": verification.agency.name_ko}, link=reverse("matchmaking:landing"),
               idempotency_key=f"matchmaking.verification:{verification.pk}:{int(verification.decided_at.timestamp())}")
    return verification


def roster_check(file) -> tuple[set[str], int]:
    """The addresses in a roster file and the number of lines skipped, after the file passed the
    upload checks (a CSV by content, within the size limit). Raises ValidationError otherwise, or
    when no line holds an address: a wrong file must not wipe out the agency's roster."""
    if not hasattr(file, "size"):
        file = File(file, name=getattr(file, "name", "roster.csv"))
    RosterUpload._meta.get_field("file").run_validators(file)
    file.seek(0)
    raw = file.read()
    text = raw.decode("utf-8-sig", errors="replace") if isinstance(raw, bytes) else raw
    emails: set[str] = set()
    skipped = 0
    for row in csv.reader(io.StringIO(text)):
        cell = next((c.strip().lower() for c in row if "@" in c), "")
        if not cell:
            skipped += 1 if any(c.strip() for c in row) else 0
            continue
        try:
            validate_email(cell)
        except ValidationError:
            skipped += 1
            continue
        emails.add(cell)
    if not emails:
        raise ValidationError(
            _("명단에서 업무 메일 주소를 찾지 못했습니다. 한 줄에 주소 하나씩 적은 CSV 파일을 올려 주세요."),
            code="roster_empty",
        )
    return emails, skipped


@transaction.atomic
def roster_import(*, agency: Agency, uploaded_by, file) -> RosterUpload:
    """Replace ``agency``'s roster with the addresses in a CSV (one per line, any column).

    Lines without a valid address, and addresses already on another agency's roster, are skipped
    and counted. The previous upload of this agency (file and entries) is deleted: only the latest
    roster is kept. A file that is not a CSV, too big, or without any address is refused
    (``roster_check``) and the previous roster stays.
    """
    if not (getattr(uploaded_by, "is_superuser", False) or can_verify_for(uploaded_by, agency.pk)):
        raise PermissionDenied(_("이 기관의 직원 명단을 올릴 권한이 없습니다."))
    emails, skipped = roster_check(file)
    for old in RosterUpload.objects.filter(agency=agency):
        old.file.delete(save=False)
        old.delete()
    taken = set(RosterEntry.objects.filter(email__in=emails).values_list("email", flat=True))
    upload = RosterUpload(agency=agency, uploaded_by=uploaded_by)
    from gwangmyeong_portal.uploads import original_name

    upload.original_name = original_name(getattr(file, "name", "roster.csv"))
    file.seek(0)
    upload.file.save("roster.csv", file, save=False)
    fresh = sorted(emails - taken)
    upload.entry_count, upload.skipped_count = len(fresh), skipped + len(emails & taken)
    upload.save()
    RosterEntry.objects.bulk_create([RosterEntry(agency=agency, upload=upload, email=e) for e in fresh])
    return upload


# --- Profiles --------------------------------------------------------------------------------------

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
def profile_leave(*, profile: Profile) -> None:
    """Delete the profile, its contact, its picks (made and received), its applications, the
    owner's consents and verification requests, at once. Matches already made keep a NULL on
    this side: the other person sees "this person left"."""
    user_id = profile.user_id
    Pick.objects.filter(picker=profile).delete()
    Pick.objects.filter(picked=profile).delete()
    profile.delete()
    ConsentRecord.objects.filter(user_id=user_id).delete()
    Verification.objects.filter(user_id=user_id).delete()


# --- Sessions and the draw -----------------------------------------------------------------------

@transaction.atomic
def session_create(*, title_ko: str, starts_at: datetime, ends_at: datetime, applications_open_at: datetime,
                   applications_close_at: datetime, pick_deadline: datetime, seats_female: int = 10,
                   seats_male: int = 10, venue: str = "", address: str = "", description_ko: str = "",
                   title_en: str = "", created_by=None) -> MeetupSession:
    """Put a meetup on the events calendar (a ``type="meetup"`` event) with its seats and periods.

    Applications go through the registry, not the events app, so the event takes no registrations.
    """
    from events.models import Event
    from events.services import event_create

    if applications_close_at > starts_at:
        raise ValidationError(_("신청 마감은 행사 시작 전이어야 합니다."), code="close_after_start")
    if pick_deadline <= ends_at:
        raise ValidationError(_("선택 마감은 행사가 끝난 뒤여야 합니다."), code="pick_before_end")
    event = event_create(
        title_ko=title_ko, title_en=title_en, starts_at=starts_at, ends_at=ends_at, type=Event.Type.MEETUP,
        description_ko=description_ko, organiser_office="여성가족과", venue=venue, address=address,
        audience="광명시와 협약 기관 미혼 직원", registration_required=False, created_by=created_by,
    )
    session = MeetupSession(
        event=event, seats_female=seats_female, seats_male=seats_male, applications_open_at=applications_open_at,
        applications_close_at=applications_close_at, pick_deadline=pick_deadline,
    )
    session.full_clean(exclude=["event"])
    session.save()
    return session


@transaction.atomic
def session_apply(*, session: MeetupSession, profile: Profile, now: datetime | None = None) -> SessionApplication:
    """Apply to a session during its application period; seats are filled by the draw afterwards."""
    now = now or timezone.now()
    if now < session.applications_open_at:
        raise ValidationError(_("아직 신청 기간이 아닙니다."), code="not_open")
    if now >= session.applications_close_at or session.drawn_at is not None:
        raise ValidationError(_("신청 기간이 끝났습니다."), code="closed")
    try:
        with transaction.atomic():
            application = SessionApplication.objects.create(session=session, profile=profile)
    except IntegrityError:
        raise ValidationError(_("이미 신청하셨습니다."), code="duplicate") from None
    profile_touch(profile=profile, now=now)
    return application


@transaction.atomic
def session_withdraw(*, session: MeetupSession, profile: Profile, now: datetime | None = None) -> None:
    """Withdraw an application before the draw (afterwards the seat is someone else's to take)."""
    now = now or timezone.now()
    if session.drawn_at is not None:
        raise ValidationError(_("추첨이 끝난 뒤에는 신청을 취소할 수 없습니다. 담당 부서에 알려 주세요."), code="drawn")
    SessionApplication.objects.filter(session=session, profile=profile).delete()


def draw_compute(*, seed: str, input_order: dict[str, list[int]], seats: dict[str, int]) -> dict:
    """The draw as a pure function, so anyone holding a ``DrawRecord`` can re-run it.

    Each gender's applications, in the order they were made, are shuffled by a generator seeded
    with ``"<seed>:<gender>"`` (string seeds are hashed with SHA-512, identically on every
    machine and Python run); the first ``seats[gender]`` are selected, the rest waitlisted in order.
    """
    result = {}
    for gender in sorted(input_order):
        ids = list(input_order[gender])
        # Not a secret: the point is that anyone can re-run it from the published seed.
        random.Random(f"{seed}:{gender}").shuffle(ids)  # noqa: S311
        take = seats[gender]
        result[gender] = {"selected": ids[:take], "waitlisted": ids[take:]}
    return result


@transaction.atomic
def session_draw(*, session: MeetupSession, drawn_by, now: datetime | None = None) -> DrawRecord:
    """Fill the seats by a seeded random draw after applications close; record it; tell everyone.

    The seed comes from ``secrets``: nobody, staff included, chooses it or who is drawn. The
    session row is locked so two clicks cannot draw twice.
    """
    now = now or timezone.now()
    if not (drawn_by.is_superuser or drawn_by.has_perm("matchmaking.run_draw")):
        raise PermissionDenied(_("추첨을 실행할 권한이 없습니다."))
    session = MeetupSession.objects.select_for_update().select_related("event").get(pk=session.pk)
    if session.drawn_at is not None:
        raise ValidationError(_("이미 추첨했습니다."), code="already_drawn")
    if now < session.applications_close_at:
        raise ValidationError(_("신청 기간이 끝난 뒤에 추첨할 수 있습니다."), code="not_closed")
    applications = list(session.applications.filter(status=Status.APPLIED).select_related("profile__user")
                        .order_by("pk"))
    by_id = {a.pk: a for a in applications}
    input_order = {g: [a.pk for a in applications if a.profile.gender == g] for g in Profile.Gender.values}
    seats = {g: session.seats_for(g) for g in Profile.Gender.values}
    seed = secrets.token_hex(16)
    result = draw_compute(seed=seed, input_order=input_order, seats=seats)
    link = reverse("matchmaking:sessions")
    for outcome in result.values():
        for pk in outcome["selected"]:
            application = by_id[pk]
            application.status = Status.SELECTED
            application.save(update_fields=["status"])
            notify(recipient=application.profile.user, kind=kinds.DRAW_SELECTED.key, link=link,
                   context={"title": session.title, "when": _format_when(session.starts_at)},
                   idempotency_key=f"matchmaking.draw:{session.pk}:{pk}")
        for position, pk in enumerate(outcome["waitlisted"], start=1):
            application = by_id[pk]
            application.status, application.waitlist_position = Status.WAITLISTED, position
            application.save(update_fields=["status", "waitlist_position"])
            notify(recipient=application.profile.user, kind=kinds.DRAW_WAITLISTED.key, link=link,
                   context={"title": session.title, "position": str(position)},
                   idempotency_key=f"matchmaking.draw:{session.pk}:{pk}")
    session.draw_seed, session.drawn_at, session.drawn_by = seed, now, drawn_by
    session.save(update_fields=["draw_seed", "drawn_at", "drawn_by"])
    return DrawRecord.objects.create(session=session, seed=seed, algorithm=DRAW_ALGORITHM, input_order=input_order,
                                     result=result, drawn_by=drawn_by, drawn_at=now)


@transaction.atomic
def attendance_mark(*, session: MeetupSession, attended_profile_ids: Iterable[int], marked_by,
                    now: datetime | None = None) -> int:
    """Record who came. Drawn (or waitlisted) people listed become attendees, selected people not
    listed no-shows. May be corrected until the pick deadline. Attendees are told picks are open."""
    now = now or timezone.now()
    if not (marked_by.is_superuser or marked_by.has_perm("matchmaking.change_sessionapplication")):
        raise PermissionDenied(_("출석을 기록할 권한이 없습니다."))
    session = MeetupSession.objects.select_for_update().select_related("event").get(pk=session.pk)
    if session.drawn_at is None:
        raise ValidationError(_("추첨 전에는 출석을 기록할 수 없습니다."), code="not_drawn")
    if now < session.starts_at:
        raise ValidationError(_("행사가 시작된 뒤에 출석을 기록할 수 있습니다."), code="not_started")
    if now >= session.pick_deadline:
        raise ValidationError(_("선택 마감이 지나 출석을 고칠 수 없습니다."), code="after_deadline")
    attended = set(attended_profile_ids)
    count = 0
    for application in session.applications.select_related("profile__user"):
        if application.profile_id in attended and application.status != Status.APPLIED:
            if application.status != Status.ATTENDED:
                application.status = Status.ATTENDED
                application.save(update_fields=["status"])
            count += 1
            notify(recipient=application.profile.user, kind=kinds.PICKS_OPEN.key,
                   link=reverse("matchmaking:picks", args=[session.pk]),
                   context={"title": session.title, "deadline": _format_when(session.pick_deadline)},
                   idempotency_key=f"matchmaking.picks_open:{session.pk}:{application.profile_id}")
        elif application.status in (Status.SELECTED, Status.ATTENDED):
            application.status = Status.NO_SHOW
            application.save(update_fields=["status"])
    session.attendance_marked_at = now
    session.save(update_fields=["attendance_marked_at"])
    return count


# --- Picks and matches ---------------------------------------------------------------------------

def attendee_ids(session: MeetupSession) -> set[int]:
    return set(session.applications.filter(status=Status.ATTENDED).values_list("profile_id", flat=True))


@transaction.atomic
def pick_submit(*, session: MeetupSession, picker: Profile, picked_ids: Iterable[int],
                now: datetime | None = None) -> list[Match]:
    """Add the picker's choices (at most ``MATCHMAKING_MAX_PICKS`` per session, attendees only,
    between the end of the event and the pick deadline) and make matches where the choice is mutual.

    The session row is locked for the whole check-and-write, so two people picking each other at
    the same moment still become a match and nobody slips past the limit with two tabs.
    Returns the new matches. A refused call changes nothing.
    """
    now = now or timezone.now()
    session = MeetupSession.objects.select_for_update().select_related("event").get(pk=session.pk)
    wanted = {int(pk) for pk in picked_ids}
    attendees = attendee_ids(session)
    if picker.pk not in attendees:
        raise ValidationError(_("이 행사에 참석한 분만 고를 수 있습니다."), code="not_attendee")
    if now < session.ends_at:
        raise ValidationError(_("행사가 끝난 뒤에 고를 수 있습니다."), code="too_early")
    if now >= session.pick_deadline:
        raise ValidationError(_("선택 기한이 지났습니다."), code="after_deadline")
    if not wanted:
        raise ValidationError(_("한 명 이상 골라 주세요."), code="empty")
    if picker.pk in wanted:
        raise ValidationError(_("자기 자신은 고를 수 없습니다."), code="self")
    if not wanted <= attendees:
        raise ValidationError(_("이 행사에 참석한 분만 고를 수 있습니다."), code="not_attendee_picked")
    existing = set(Pick.objects.filter(session=session, picker=picker).values_list("picked_id", flat=True))
    limit = settings.MATCHMAKING_MAX_PICKS
    if len(existing | wanted) > limit:
        raise ValidationError(
            _("한 행사에서 %(limit)s명까지 고를 수 있습니다. 이미 %(done)s명을 고르셨습니다.")
            % {"limit": limit, "done": len(existing)},
            code="too_many",
        )
    new = sorted(wanted - existing)
    Pick.objects.bulk_create([Pick(session=session, picker=picker, picked_id=pk) for pk in new])
    mutual = set(Pick.objects.filter(session=session, picker_id__in=new, picked=picker)
                 .values_list("picker_id", flat=True))
    matches = [match_create(session=session, first_id=picker.pk, second_id=pk) for pk in sorted(mutual)]
    profile_touch(profile=picker, now=now)
    return [m for m in matches if m is not None]


def match_create(*, session: MeetupSession, first_id: int, second_id: int) -> Match | None:
    """Record a mutual pick (idempotent) and tell both; returns the match if it is new."""
    a, b = sorted((first_id, second_id))
    match, created = Match.objects.get_or_create(session=session, profile_a_id=a, profile_b_id=b)
    if not created:
        return None
    for profile in Profile.objects.filter(pk__in=(a, b)).select_related("user"):
        notify(recipient=profile.user, kind=kinds.MATCH_MADE.key, link=reverse("matchmaking:matches"),
               context={"title": session.title}, idempotency_key=f"matchmaking.match:{match.pk}:{profile.pk}")
    return match


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
        profile_leave(profile=profile)
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
