"""The city's partner agencies and who works for them.

The city itself is recorded as an institution too (``is_city``): for matchmaking it is the
eleventh institution whose staff may join.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gwangmyeong_portal.i18n_fields import localized
from gwangmyeong_portal.uploads import UploadValidator, original_name, private_upload_to


class AgencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def partners(self):
        """The ten agreement partners (not the city)."""
        return self.filter(is_city=False)


class Agency(models.Model):
    """A public institution taking part in the 2017 agreement (or the city itself)."""

    class Kind(models.TextChoices):
        CITY = "city", _("지방자치단체")
        POLICE = "police", _("경찰")
        EDUCATION = "education", _("교육")
        FIRE = "fire", _("소방")
        TAX = "tax", _("세무")
        PUBLIC_CORPORATION = "public_corporation", _("공기업")
        SOCIAL_INSURANCE = "social_insurance", _("사회보험")
        POSTAL = "postal", _("우정")
        ASSOCIATION = "association", _("공공 협회")

    slug = models.SlugField(_("주소 이름"), max_length=60, unique=True)
    name_ko = models.CharField(_("기관명(한국어)"), max_length=100, unique=True)
    name_en = models.CharField(_("기관명(영어)"), max_length=150, blank=True)
    kind = models.CharField(_("기관 종류"), max_length=30, choices=Kind.choices)
    is_city = models.BooleanField(_("광명시 본청"), default=False)
    address = models.CharField(_("주소"), max_length=200, blank=True)
    phone = models.CharField(_("대표 전화"), max_length=30, blank=True)
    website = models.URLField(_("누리집"), blank=True)
    # Checked by content like every upload, and stored under a random name (not the uploader's).
    logo = models.FileField(_("로고"), upload_to=private_upload_to("agency_logos"), blank=True,
                            validators=[UploadValidator(kinds=("png", "jpeg"))])
    is_active = models.BooleanField(_("활성"), default=True)
    order = models.PositiveSmallIntegerField(_("표시 순서"), default=0)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("기관")
        verbose_name_plural = _("기관")
        ordering = ["order", "name_ko"]
        constraints = [
            # Only one row may stand for the city itself.
            models.UniqueConstraint(fields=["is_city"], condition=Q(is_city=True), name="agency_single_city"),
        ]

    def __str__(self):
        return self.name_ko

    @property
    def name(self) -> str:
        return localized(self, "name")


class AgencyEmailDomain(models.Model):
    """A work e-mail domain of an agency; a verified address there proves employment."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="email_domains",
                               verbose_name=_("기관"))
    domain = models.CharField(_("메일 도메인"), max_length=120, unique=True,
                              help_text=_("예: police.go.kr (소문자, @ 없이)"))

    class Meta:
        verbose_name = _("업무 메일 도메인")
        verbose_name_plural = _("업무 메일 도메인")
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(condition=Q(domain=models.functions.Lower("domain")) & ~Q(domain__contains="@"),
                                   name="agency_domain_lowercase_no_at"),
        ]

    def __str__(self):
        return self.domain


# --- Scoping ----------------------------------------------------------------------------------

def _scope_for(user) -> tuple[str, int | None]:
    """("all", None) for clerks and superusers, ("agency", id) for agency staff, ("none", None) otherwise."""
    from accounts.roles import is_clerk

    if not getattr(user, "is_authenticated", False):
        return "none", None
    if is_clerk(user):
        return "all", None
    membership = AgencyMembership.objects.filter(user=user).values_list("agency_id", flat=True).first()
    if membership is not None:
        return "agency", membership
    return "none", None


class AgencyScopedQuerySet(models.QuerySet):
    """Rows belonging to an agency: clerks see all, agency staff their own agency's, others none."""

    agency_path = "agency"

    def visible_to(self, user):
        scope, agency_id = _scope_for(user)
        if scope == "all":
            return self
        if scope == "agency":
            return self.filter(**{f"{self.agency_path}_id": agency_id})
        return self.none()


class AgencyMembership(models.Model):
    """A user working for an agency, with what they may do for it (pretix-style ``can_*`` flags).

    A user belongs to at most one agency.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_membership",
                                verbose_name=_("사용자"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("기관"))
    can_report_activities = models.BooleanField(_("활동 보고"), default=False)
    can_request_lectures = models.BooleanField(_("강사 파견 요청"), default=False)
    can_verify_employees = models.BooleanField(_("직원 확인(만남 행사)"), default=False)
    can_manage_events = models.BooleanField(_("행사 관리"), default=False)
    created_at = models.DateTimeField(_("등록 일시"), auto_now_add=True)

    objects = AgencyScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("기관 소속 직원")
        verbose_name_plural = _("기관 소속 직원")

    def __str__(self):
        return f"{self.user} @ {self.agency}"


# Module-level so migrations can name them (``private_upload_to`` returns a closure).
_agreement_upload = private_upload_to("partners_agreements")
_evidence_upload = private_upload_to("partners_evidence")


def agreement_upload_to(instance, filename):
    return _agreement_upload(instance, filename)


def evidence_upload_to(instance, filename):
    return _evidence_upload(instance, filename)


# --- The agreement ----------------------------------------------------------------------------

class Agreement(models.Model):
    """A signed agreement between the city and partner agencies (the 2017-02-02 one in practice)."""

    title_ko = models.CharField(_("협약명(한국어)"), max_length=200)
    title_en = models.CharField(_("협약명(영어)"), max_length=250, blank=True)
    summary_ko = models.TextField(_("요약(한국어)"), blank=True)
    summary_en = models.TextField(_("요약(영어)"), blank=True)
    signed_on = models.DateField(_("협약일"))
    parties = models.ManyToManyField(Agency, related_name="agreements", verbose_name=_("협약 기관"))
    document = models.FileField(
        _("협약서(PDF)"), upload_to=agreement_upload_to, blank=True,
        validators=[UploadValidator(kinds=("pdf",))],
    )

    class Meta:
        verbose_name = _("협약")
        verbose_name_plural = _("협약")
        ordering = ["-signed_on"]

    def __str__(self):
        return f"{self.title_ko} ({self.signed_on:%Y-%m-%d})"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def summary(self) -> str:
        return localized(self, "summary")


class Clause(models.Model):
    """One numbered clause of an agreement. ``signatories`` are the agencies bound by it: a report
    may be filed only under a clause the agency signed."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="clauses", verbose_name=_("협약"))
    number = models.PositiveSmallIntegerField(_("조항 번호"))
    text_ko = models.TextField(_("내용(한국어)"))
    text_en = models.TextField(_("내용(영어)"), blank=True)
    signatories = models.ManyToManyField(Agency, related_name="signed_clauses", blank=True,
                                         verbose_name=_("서명 기관"))

    class Meta:
        verbose_name = _("협약 조항")
        verbose_name_plural = _("협약 조항")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="partners_clause_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="partners_clause_number_positive"),
        ]

    def __str__(self):
        return _("%(number)s조 %(text)s") % {"number": self.number, "text": self.text_ko[:40]}

    @property
    def text(self) -> str:
        return localized(self, "text")


class CommitmentQuerySet(AgencyScopedQuerySet):
    pass


class Commitment(models.Model):
    """What an agency undertook under a clause, in words and as a measurable yearly target."""

    class Period(models.TextChoices):
        YEAR = "year", _("연간")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("기관"))
    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="commitments",
                               verbose_name=_("협약 조항"))
    text_ko = models.TextField(_("약속 내용(한국어)"))
    text_en = models.TextField(_("약속 내용(영어)"), blank=True)
    target_count = models.PositiveIntegerField(_("목표 횟수"), null=True, blank=True)
    unit_ko = models.CharField(_("단위(한국어)"), max_length=40, blank=True, help_text=_("예: 회, 캠페인"))
    unit_en = models.CharField(_("단위(영어)"), max_length=40, blank=True)
    period = models.CharField(_("기간"), max_length=10, choices=Period.choices, default=Period.YEAR)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("기관별 약속")
        verbose_name_plural = _("기관별 약속")
        ordering = ["agency__order", "clause__number", "pk"]
        constraints = [
            # A measurable target names its unit.
            models.CheckConstraint(condition=Q(target_count__isnull=True) | ~Q(unit_ko=""),
                                   name="partners_commitment_target_has_unit"),
        ]

    def __str__(self):
        return f"{self.agency} · {self.clause.number}: {self.text_ko[:40]}"

    @property
    def text(self) -> str:
        return localized(self, "text")

    @property
    def unit(self) -> str:
        return localized(self, "unit")


# --- Activity reports -------------------------------------------------------------------------

class ActivityReportQuerySet(AgencyScopedQuerySet):
    def accepted(self):
        return self.filter(status=ActivityReport.Status.ACCEPTED)


class ActivityReport(models.Model):
    """Something an agency did under a clause. draft → submitted → accepted | returned (→ submitted again),
    and any of them → withdrawn (with a reason) instead of a delete.

    Only accepted reports are public; every transition is a service in ``partners.services`` and
    leaves a row in ``ActivityReportEvent`` (the review history the agency sees).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("작성 중")
        SUBMITTED = "submitted", _("제출됨")
        ACCEPTED = "accepted", _("승인됨")
        RETURNED = "returned", _("반려됨")
        WITHDRAWN = "withdrawn", _("철회됨")

    TRANSITIONS = {
        "submit": ({Status.DRAFT, Status.RETURNED}, Status.SUBMITTED),
        "accept": ({Status.SUBMITTED}, Status.ACCEPTED),
        "return": ({Status.SUBMITTED}, Status.RETURNED),
        "withdraw": ({Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED}, Status.WITHDRAWN),
    }

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="activity_reports",
                               verbose_name=_("기관"))
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="activity_reports",
                               verbose_name=_("협약 조항"))
    date = models.DateField(_("활동일"))
    title = models.CharField(_("제목"), max_length=200)
    description = models.TextField(_("내용"))
    participants = models.PositiveIntegerField(_("참여 인원"), default=0)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    city_comment = models.TextField(_("시 의견"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("작성자"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("제출자"))
    submitted_at = models.DateTimeField(_("제출 일시"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("처리자"))
    decided_at = models.DateTimeField(_("처리 일시"), null=True, blank=True)
    created_at = models.DateTimeField(_("작성 일시"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 일시"), auto_now=True)

    objects = ActivityReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("활동 보고")
        verbose_name_plural = _("활동 보고")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["clause", "status", "-date"])]
        constraints = [
            models.CheckConstraint(condition=~Q(status="returned") | ~Q(city_comment=""),
                                   name="partners_report_returned_has_comment"),
        ]

    def __str__(self):
        return self.title

    def access_log_subject(self):
        return f"activityreport:{self.pk}", self.submitted_by_id or self.created_by_id

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class ActivityReportEvent(models.Model):
    """One step of a report's review (submitted, returned with the reason, accepted, withdrawn): who,
    when and what was said. Written by every transition service; never edited. The agency reads it
    on the report's admin page, so a return reason survives the later acceptance."""

    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="history",
                               verbose_name=_("활동 보고"))
    from_status = models.CharField(_("이전 상태"), max_length=10, choices=ActivityReport.Status.choices, blank=True)
    to_status = models.CharField(_("바뀐 상태"), max_length=10, choices=ActivityReport.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("처리한 사람"))
    note = models.TextField(_("사유·의견"), blank=True)
    at = models.DateTimeField(_("일시"), default=timezone.now)

    class EventQuerySet(AgencyScopedQuerySet):
        agency_path = "report__agency"

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("검토 이력")
        verbose_name_plural = _("검토 이력")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["report", "at"])]

    def __str__(self):
        return f"{self.get_from_status_display() or '-'} → {self.get_to_status_display()}"


class ActivityEvidence(models.Model):
    """A file proving an activity (photo, attendance sheet as PDF). Served only through a checked view."""

    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="evidence",
                               verbose_name=_("활동 보고"))
    file = models.FileField(
        _("증빙 파일"), upload_to=evidence_upload_to,
        validators=[UploadValidator(kinds=("pdf", "jpeg", "png"))],
    )
    original_name = models.CharField(_("원래 파일 이름"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("올린 일시"), auto_now_add=True)

    class EvidenceQuerySet(AgencyScopedQuerySet):
        agency_path = "report__agency"

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("증빙 자료")
        verbose_name_plural = _("증빙 자료")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name or self.file.name

    def save(self, *args, **kwargs):
        if not self.original_name and self.file:
            self.original_name = original_name(self.file.name)
        super().save(*args, **kwargs)


# --- Lecturer dispatch ------------------------------------------------------------------------

class LecturerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def visible_to(self, user):
        """The roster with contacts is the city's: clerks only."""
        from accounts.roles import is_clerk

        return self if is_clerk(user) else self.none()


class Lecturer(models.Model):
    """An expert on the city's roster who gives population education at the agencies.

    Lecturers need not have an account; when ``user`` is set they are notified through notify().
    """

    name = models.CharField(_("이름"), max_length=100)
    topics = models.TextField(_("강의 분야"))
    phone = models.CharField(_("연락처"), max_length=30, blank=True)
    email = models.EmailField(_("이메일"), blank=True)
    availability_notes = models.TextField(_("가능 일정 메모"), blank=True)
    is_active = models.BooleanField(_("활동 중"), default=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="lecturer_profiles", verbose_name=_("포털 계정"),
                             help_text=_("연결하면 배정·취소 알림을 포털 계정으로 보냅니다."))

    objects = LecturerQuerySet.as_manager()

    class Meta:
        verbose_name = _("전문 강사")
        verbose_name_plural = _("전문 강사")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def access_log_subject(self):
        return f"lecturer:{self.pk}", self.user_id


class LectureRequestQuerySet(AgencyScopedQuerySet):
    pass


class LectureRequest(models.Model):
    """An agency's request for a population-education lecture.

    requested → scheduled → delivered | declined | cancelled (a scheduled lecture may also be
    cancelled). A lecturer is never booked twice for overlapping times: the scheduling service
    locks the lecturer row, and on PostgreSQL an exclusion constraint (migration 0003) backs it.
    """

    class Audience(models.TextChoices):
        STAFF = "staff", _("기관 직원")
        AFFILIATED = "affiliated", _("소속·산하 기관 직원")
        CITIZENS = "citizens", _("일반 시민")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("요청됨")
        SCHEDULED = "scheduled", _("일정 확정")
        DELIVERED = "delivered", _("강의 완료")
        DECLINED = "declined", _("거절됨")
        CANCELLED = "cancelled", _("취소됨")

    TRANSITIONS = {
        "schedule": ({Status.REQUESTED, Status.SCHEDULED}, Status.SCHEDULED),
        "decline": ({Status.REQUESTED}, Status.DECLINED),
        "deliver": ({Status.SCHEDULED}, Status.DELIVERED),
        "cancel": ({Status.REQUESTED, Status.SCHEDULED}, Status.CANCELLED),
    }
    MAX_OPTIONS = 3

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="lecture_requests",
                               verbose_name=_("기관"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("요청자"))
    audience = models.CharField(_("대상"), max_length=12, choices=Audience.choices)
    expected_size = models.PositiveIntegerField(_("예상 인원"))
    venue = models.CharField(_("장소"), max_length=200)
    topic = models.CharField(_("주제"), max_length=200)
    preferred_start_1 = models.DateTimeField(_("희망 일시 1"))
    preferred_start_2 = models.DateTimeField(_("희망 일시 2"), null=True, blank=True)
    preferred_start_3 = models.DateTimeField(_("희망 일시 3"), null=True, blank=True)
    note = models.TextField(_("요청 메모"), blank=True)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.REQUESTED,
                              db_index=True)
    lecturer = models.ForeignKey(Lecturer, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="lectures", verbose_name=_("강사"))
    scheduled_start = models.DateTimeField(_("확정 시작"), null=True, blank=True)
    scheduled_end = models.DateTimeField(_("확정 종료"), null=True, blank=True)
    decline_reason = models.TextField(_("거절 사유"), blank=True)
    cancel_reason = models.TextField(_("취소 사유"), blank=True)
    attendance = models.PositiveIntegerField(_("참석 인원"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("처리자"))
    # The lecture's entry on the events calendar, written when it is scheduled.
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="lecture_requests", verbose_name=_("행사 일정"))
    created_at = models.DateTimeField(_("요청 일시"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 일시"), auto_now=True)

    objects = LectureRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("강사 파견 요청")
        verbose_name_plural = _("강사 파견 요청")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["lecturer", "status", "scheduled_start"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["scheduled", "delivered"])
                | Q(lecturer__isnull=False, scheduled_start__isnull=False, scheduled_end__isnull=False),
                name="partners_lecture_scheduled_has_lecturer_and_time",
            ),
            models.CheckConstraint(
                condition=Q(scheduled_start__isnull=True) | Q(scheduled_end__isnull=True)
                | Q(scheduled_end__gt=models.F("scheduled_start")),
                name="partners_lecture_end_after_start",
            ),
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(decline_reason=""),
                                   name="partners_lecture_declined_has_reason"),
            models.CheckConstraint(condition=~Q(status="delivered") | Q(attendance__isnull=False),
                                   name="partners_lecture_delivered_has_attendance"),
        ]

    def __str__(self):
        return f"{self.agency} · {self.topic}"

    def access_log_subject(self):
        return f"lecturerequest:{self.pk}", self.requested_by_id

    @property
    def preferred_starts(self) -> list:
        return [d for d in (self.preferred_start_1, self.preferred_start_2, self.preferred_start_3) if d]
