"""The singles-meetup registry for unmarried staff of the eleven institutions.

Privacy is the feature: the contact is stored encrypted (``matchmaking.crypto``) and only ever
decrypted for the matches page; no ``__str__``, admin page, export or notification contains it.
Leaving is a hard delete of the profile, its picks and its contact; matches already made keep a
NULL on the side that left, which the other person sees as "this person left".

Writes go through ``matchmaking.services``; reads users reach go through ``visible_to(user)``.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from gwangmyeong_portal.uploads import UploadValidator, private_upload_to

from .crypto import contact_decrypt, contact_encrypt


def _new_seed() -> str:
    return secrets.token_hex(16)


def _new_pseudonym() -> str:
    return secrets.token_hex(6)


def _membership(user):
    from partners.selectors import membership_for

    return membership_for(user)


def _is_clerk(user) -> bool:
    from accounts.roles import is_clerk

    return is_clerk(user)


class ConsentRecord(models.Model):
    """A person's consent to the registry's collection of personal data (PIPA art. 15, 22).

    The text version says which wording they agreed to; optional items (introduction, interests)
    have their own consent.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="matchmaking_consents",
                             verbose_name=_("동의한 사람"))
    text_version = models.CharField(_("동의서 버전"), max_length=20)
    given_at = models.DateTimeField(_("필수 항목 동의 일시"))
    optional_consent = models.BooleanField(_("선택 항목 동의"), default=False)
    ip_address = models.GenericIPAddressField(_("접속지 IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("만남 행사 개인정보 동의")
        verbose_name_plural = _("만남 행사 개인정보 동의")
        ordering = ["-given_at", "-pk"]

    def __str__(self):
        return f"consent #{self.pk} v{self.text_version}"


class ProfileQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person sees their own profile; only superusers (operators) see the registry.

        Membership of a dating registry is sensitive: no staff role — an agency's verifier, an
        employer's staff, a city clerk — is shown who is in it. Verifiers see pending requests only
        (``Verification.objects.visible_to``); clerks see a session's applicants by activity name
        (``SessionApplication.objects.visible_to``). Citizens reach other attendees through a session.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(user=user)

    def staff_visible_to(self, user):
        """What the registry admin lists: everything for a superuser, nothing for anyone else."""
        return self if getattr(user, "is_superuser", False) else self.none()


class Profile(models.Model):
    """One person in the registry. The contact lives only in ``contact_encrypted``."""

    class Gender(models.TextChoices):
        FEMALE = "female", _("여성")
        MALE = "male", _("남성")

    class Method(models.TextChoices):
        EMAIL_DOMAIN = "email_domain", _("기관 업무 메일 인증")
        STAFF_CONFIRMED = "staff_confirmed", _("기관 담당자 확인")
        ROSTER = "roster", _("기관 직원 명단")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="matchmaking_profile",
                                verbose_name=_("계정"))
    display_name = models.CharField(_("활동명"), max_length=30, help_text=_("다른 참가자에게 보이는 이름입니다."))
    gender = models.CharField(_("성별"), max_length=10, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("출생 연도"))
    institution = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("소속 기관"))
    show_institution = models.BooleanField(_("소속 기관 공개"), default=False,
                                           help_text=_("끄면 다른 참가자에게 소속 기관을 보여 주지 않습니다."))
    intro = models.TextField(_("자기소개"), max_length=500, blank=True)
    interests = models.CharField(_("관심사"), max_length=200, blank=True)
    contact_encrypted = models.TextField(_("연락처(암호화)"), editable=False)
    declared_unmarried = models.BooleanField(_("미혼 확인"), default=False)
    declared_at = models.DateTimeField(_("미혼 확인 일시"))
    verification_method = models.CharField(_("재직 확인 방법"), max_length=20, choices=Method.choices)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("확인한 담당자"))
    verified_at = models.DateTimeField(_("재직 확인 일시"))
    created_at = models.DateTimeField(_("등록 일시"), auto_now_add=True)
    last_active_at = models.DateTimeField(_("마지막 활동"), db_index=True)
    retention_notice_sent_at = models.DateTimeField(_("삭제 예정 안내 일시"), null=True, blank=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("만남 행사 프로필")
        verbose_name_plural = _("만남 행사 프로필")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(declared_unmarried=True), name="matchmaking_profile_unmarried"),
            models.CheckConstraint(condition=Q(gender__in=["female", "male"]), name="matchmaking_profile_gender"),
            models.CheckConstraint(condition=Q(verification_method__in=["email_domain", "staff_confirmed", "roster"]),
                                   name="matchmaking_profile_method"),
            models.CheckConstraint(condition=~Q(contact_encrypted=""), name="matchmaking_profile_contact_set"),
        ]

    def __str__(self):
        return f"profile #{self.pk}"

    def access_log_subject(self) -> tuple[str, int | None]:
        return f"matchmaking profile {self.pk}", self.user_id

    # The contact is never an attribute that templates or serialisers could pick up by accident:
    # reading it is an explicit call.
    def set_contact(self, plain: str) -> None:
        self.contact_encrypted = contact_encrypt(plain.strip())

    def reveal_contact(self) -> str:
        return contact_decrypt(self.contact_encrypted)

    @property
    def public_institution(self):
        return self.institution if self.show_institution else None


class VerificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person sees their own requests; superusers all.

        A verifying staff member of an agency sees only the requests waiting for their decision:
        of their agency, still ``requested``, from someone not (yet) in the registry. Once decided a
        request is gone from their view, so a verifier never learns who went on to join; a person
        verified another way (work mail, roster) never appears to them. Anyone else on the staff —
        agency staff without the capability, other agencies, clerks — sees none.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        membership = _membership(user)
        if membership is not None and membership.can_verify_employees:
            return self.filter(agency_id=membership.agency_id, status=Verification.Status.REQUESTED,
                               user__matchmaking_profile__isnull=True)
        return self.filter(user=user)

    def staff_visible_to(self, user):
        """What the admin lists: ``visible_to`` without the person's own requests (a staff member
        who is also an applicant does not manage their own request)."""
        if getattr(user, "is_superuser", False):
            return self
        membership = _membership(user)
        if membership is None or not membership.can_verify_employees:
            return self.none()
        return self.visible_to(user).exclude(user=user)


class Verification(models.Model):
    """A person asks a verifying staff member of their agency to confirm they work there."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("확인 요청")
        CONFIRMED = "confirmed", _("재직 확인")
        REJECTED = "rejected", _("확인 불가")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="matchmaking_verifications", verbose_name=_("신청자"))
    agency = models.ForeignKey("partners.Agency", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("기관"))
    status = models.CharField(_("상태"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("요청 일시"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("확인한 담당자"))
    decided_at = models.DateTimeField(_("확인 일시"), null=True, blank=True)

    objects = VerificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("재직 확인 요청")
        verbose_name_plural = _("재직 확인 요청")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="matchmaking_one_verification_per_agency"),
            models.CheckConstraint(
                condition=Q(status="requested") | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="matchmaking_verification_decided",
            ),
        ]

    def __str__(self):
        return f"verification #{self.pk}"

    def access_log_subject(self) -> tuple[str, int | None]:
        return f"matchmaking verification {self.pk}", self.user_id


class RosterUploadQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        membership = _membership(user)
        if membership is not None and membership.can_verify_employees:
            return self.filter(agency_id=membership.agency_id)
        return self.none()


class RosterUpload(models.Model):
    """A CSV of an agency's employee e-mail addresses, uploaded by its verifying staff member."""

    agency = models.ForeignKey("partners.Agency", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("기관"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("올린 담당자"))
    file = models.FileField(_("직원 명단(CSV)"), upload_to=private_upload_to("matchmaking_rosters"),
                            validators=[UploadValidator(kinds=("csv",))],
                            help_text=_("한 줄에 업무 메일 주소 하나. 올리면 이 기관의 이전 명단을 대신합니다."))
    original_name = models.CharField(_("원래 파일 이름"), max_length=200, blank=True, editable=False)
    uploaded_at = models.DateTimeField(_("올린 일시"), auto_now_add=True)
    entry_count = models.PositiveIntegerField(_("등록된 주소 수"), default=0, editable=False)
    skipped_count = models.PositiveIntegerField(_("건너뛴 줄 수"), default=0, editable=False)

    objects = RosterUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("직원 명단")
        verbose_name_plural = _("직원 명단")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"roster #{self.pk}"


class RosterEntry(models.Model):
    """One employee address from an agency's latest roster."""

    agency = models.ForeignKey("partners.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("기관"))
    upload = models.ForeignKey(RosterUpload, on_delete=models.CASCADE, related_name="entries",
                               verbose_name=_("직원 명단"))
    email = models.EmailField(_("업무 메일"), unique=True)

    class Meta:
        verbose_name = _("명단 주소")
        verbose_name_plural = _("명단 주소")
        constraints = [
            models.CheckConstraint(condition=Q(email=Lower("email")), name="matchmaking_roster_email_lowercase"),
        ]

    def __str__(self):
        return f"roster entry #{self.pk}"


class MeetupSessionQuerySet(models.QuerySet):
    def with_event(self):
        return self.select_related("event")


class MeetupSession(models.Model):
    """A meetup: an ``events.Event`` (type meetup) with seats per gender and an application period."""

    event = models.OneToOneField("events.Event", on_delete=models.PROTECT, related_name="meetup_session",
                                 verbose_name=_("행사"))
    seats_female = models.PositiveSmallIntegerField(_("여성 자리"), default=10)
    seats_male = models.PositiveSmallIntegerField(_("남성 자리"), default=10)
    applications_open_at = models.DateTimeField(_("신청 시작"))
    applications_close_at = models.DateTimeField(_("신청 마감"))
    pick_deadline = models.DateTimeField(_("선택 마감"), help_text=_("행사 뒤 참석자가 마음에 드는 분을 고르는 기한"))
    draw_seed = models.CharField(_("추첨 시드"), max_length=40, blank=True, editable=False)
    drawn_at = models.DateTimeField(_("추첨 일시"), null=True, blank=True, editable=False)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", editable=False, verbose_name=_("추첨 실행"))
    attendance_marked_at = models.DateTimeField(_("출석 확정 일시"), null=True, blank=True, editable=False)
    # Chosen when the session is made and kept secret until the draw; its SHA-256 is shown to
    # applicants from the start (``seed_sha256``), so nobody can pick a seed after seeing who applied.
    committed_seed = models.CharField(_("미리 정한 추첨 시드"), max_length=40, default=_new_seed, editable=False)

    objects = MeetupSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("만남 행사 회차")
        verbose_name_plural = _("만남 행사 회차")
        ordering = ["-applications_open_at", "-pk"]
        permissions = [("run_draw", _("추첨 실행")), ("view_aggregates", _("만남 행사 통계 보기"))]
        constraints = [
            models.CheckConstraint(condition=Q(applications_close_at__gt=F("applications_open_at")),
                                   name="matchmaking_session_window_ordered"),
            models.CheckConstraint(condition=Q(pick_deadline__gt=F("applications_close_at")),
                                   name="matchmaking_session_pick_after_close"),
            models.CheckConstraint(condition=Q(seats_female__gte=1) & Q(seats_male__gte=1),
                                   name="matchmaking_session_seats_positive"),
        ]

    def __str__(self):
        return self.event.title_ko if self.event_id else f"session #{self.pk}"

    @property
    def title(self) -> str:
        return self.event.title

    @property
    def starts_at(self):
        return self.event.starts_at

    @property
    def ends_at(self):
        return self.event.ends_at

    def seats_for(self, gender: str) -> int:
        return self.seats_female if gender == Profile.Gender.FEMALE else self.seats_male

    @property
    def seed_sha256(self) -> str:
        """The published commitment to the seed (the seed itself is revealed after the draw)."""
        return hashlib.sha256(self.committed_seed.encode()).hexdigest()


class SessionApplication(models.Model):
    """A profile's application to a session, and what became of it."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("신청")
        SELECTED = "selected", _("선정")
        WAITLISTED = "waitlisted", _("대기")
        ATTENDED = "attended", _("참석")
        NO_SHOW = "no_show", _("불참")

    session = models.ForeignKey(MeetupSession, on_delete=models.CASCADE, related_name="applications",
                                verbose_name=_("행사 회차"))
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="applications",
                                verbose_name=_("프로필"))
    status = models.CharField(_("상태"), max_length=20, choices=Status.choices, default=Status.APPLIED)
    waitlist_position = models.PositiveSmallIntegerField(_("대기 순번"), null=True, blank=True)
    applied_at = models.DateTimeField(_("신청 일시"), auto_now_add=True)
    # The applicant's name in the published draw of this session only: random, so the list of
    # applicants can be shown to every applicant without saying who they are.
    pseudonym = models.CharField(_("추첨 공개 번호"), max_length=12, default=_new_pseudonym, editable=False)

    class Meta:
        verbose_name = _("만남 행사 신청")
        verbose_name_plural = _("만남 행사 신청")
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "profile"], name="matchmaking_one_application_per_session"),
            models.UniqueConstraint(fields=["session", "pseudonym"], name="matchmaking_one_pseudonym_per_session"),
            models.CheckConstraint(condition=Q(status__in=["applied", "selected", "waitlisted", "attended", "no_show"]),
                                   name="matchmaking_application_status_valid"),
        ]

    def __str__(self):
        return f"application #{self.pk}"

    def access_log_subject(self) -> tuple[str, int | None]:
        return f"matchmaking profile {self.profile_id}", self.profile.user_id


class Pick(models.Model):
    """One attendee's private choice of another after a session. Nobody but the picker sees it."""

    session = models.ForeignKey(MeetupSession, on_delete=models.CASCADE, related_name="picks",
                                verbose_name=_("행사 회차"))
    picker = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="picks_made",
                               verbose_name=_("고른 사람"))
    picked = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+", verbose_name=_("고른 상대"))
    created_at = models.DateTimeField(_("선택 일시"), auto_now_add=True)

    class Meta:
        verbose_name = _("선택")
        verbose_name_plural = _("선택")
        constraints = [
            models.UniqueConstraint(fields=["session", "picker", "picked"], name="matchmaking_one_pick_per_pair"),
            models.CheckConstraint(condition=~Q(picker=F("picked")), name="matchmaking_pick_not_self"),
        ]

    def __str__(self):
        return f"pick #{self.pk}"


class MatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person sees only their own matches; nobody else (not even clerks) sees any."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(profile_a__user=user) | Q(profile_b__user=user))


class Match(models.Model):
    """Two attendees who picked each other. ``profile_a`` has the smaller id; a side that left is NULL."""

    session = models.ForeignKey(MeetupSession, on_delete=models.CASCADE, related_name="matches",
                                verbose_name=_("행사 회차"))
    profile_a = models.ForeignKey(Profile, on_delete=models.SET_NULL, null=True, related_name="+",
                                  verbose_name=_("참가자 1"))
    profile_b = models.ForeignKey(Profile, on_delete=models.SET_NULL, null=True, related_name="+",
                                  verbose_name=_("참가자 2"))
    created_at = models.DateTimeField(_("매칭 일시"), auto_now_add=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("매칭")
        verbose_name_plural = _("매칭")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "profile_a", "profile_b"],
                                    name="matchmaking_one_match_per_pair"),
            models.CheckConstraint(
                condition=Q(profile_a__isnull=True) | Q(profile_b__isnull=True) | Q(profile_a__lt=F("profile_b")),
                name="matchmaking_match_ordered_pair",
            ),
        ]

    def __str__(self):
        return f"match #{self.pk}"

    def other_side(self, profile: Profile) -> Profile | None:
        return self.profile_b if self.profile_a_id == profile.pk else self.profile_a


class DrawRecord(models.Model):
    """The audit trail of a session's draw: with the seed and the input order anyone can re-run it."""

    session = models.OneToOneField(MeetupSession, on_delete=models.CASCADE, related_name="draw_record",
                                   verbose_name=_("행사 회차"))
    seed = models.CharField(_("시드"), max_length=40)
    algorithm = models.CharField(_("방식"), max_length=40, default="random.Random(seed).shuffle/v1")
    input_order = models.JSONField(_("추첨 전 신청 순서"), help_text=_("성별마다 신청 번호 목록(신청 순)"))
    result = models.JSONField(_("결과"), help_text=_("성별마다 선정·대기 신청 번호"))
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                 verbose_name=_("추첨 실행"))
    drawn_at = models.DateTimeField(_("추첨 일시"))
    # What every applicant of the session may see and re-run (``matchmaking.services.draws``): the
    # input order as per-session pseudonyms, and the commitment those and the seed hash gave.
    # Empty for draws made before the published check existed.
    public_input = models.JSONField(_("공개 추첨 순서"), null=True, blank=True,
                                    help_text=_("성별마다 추첨 공개 번호 목록(신청 순)"))
    commitment = models.CharField(_("추첨 전 공개 값(SHA-256)"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("추첨 기록")
        verbose_name_plural = _("추첨 기록")
        ordering = ["-drawn_at"]

    def __str__(self):
        return f"draw #{self.pk} (session {self.session_id})"
