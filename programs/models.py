"""The city's life-cycle programs, the rules that say who may get them, and applications.

A program is a policy a citizen can apply for (a birth incentive) or a place they can use (the
toy library). Eligibility rules are data on the program, evaluated by ``programs.eligibility``.
Application status changes happen only through ``programs.services``; the allowed moves are in
``Application.TRANSITIONS``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gwangmyeong_portal.i18n_fields import localized
from gwangmyeong_portal.uploads import private_upload_to


class LifeStage(models.TextChoices):
    PREGNANCY_BIRTH = "pregnancy_birth", _("임신·출산")
    CHILDCARE_EDUCATION = "childcare_education", _("보육·교육")
    JOBS_HOUSING = "jobs_housing", _("일자리·주거")


class HouseholdTag(models.Model):
    """A kind of household a program is meant for (newlyweds, single-parent, multi-child…)."""

    code = models.SlugField(_("코드"), max_length=30, unique=True)
    name_ko = models.CharField(_("이름(한국어)"), max_length=40)
    name_en = models.CharField(_("이름(영어)"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("표시 순서"), default=0)

    class Meta:
        verbose_name = _("대상 가구")
        verbose_name_plural = _("대상 가구")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name_ko

    @property
    def name(self):
        return localized(self, "name")


class ProgramQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Program.Status.PUBLISHED)

    def open_now(self, today=None):
        """Published programs taking online applications today."""
        today = today or timezone.localdate()
        return self.published().filter(apply_method=Program.ApplyMethod.ONLINE).filter(
            Q(opens_on__isnull=True) | Q(opens_on__lte=today), Q(closes_on__isnull=True) | Q(closes_on__gte=today)
        )

    def visible_to(self, user):
        """Citizens and visitors see published programs; clerks also drafts and closed ones."""
        from accounts.roles import is_clerk

        if is_clerk(user):
            return self
        return self.exclude(status=Program.Status.DRAFT)


class Program(models.Model):
    """One program of the child- and mom-friendly city, or a facility citizens can use."""

    class Topic(models.TextChoices):
        HEALTH = "health", _("건강")
        CLASSES = "classes", _("교육·강좌")
        CASH = "cash", _("지원금")
        CIVIL_SERVICE = "civil_service", _("민원 편의")
        CHILDCARE = "childcare", _("돌봄")
        SCHOOL = "school", _("학교")
        SAFETY = "safety", _("안전")
        JOBS = "jobs", _("일자리")
        STARTUP = "startup", _("창업")
        HOUSING = "housing", _("주거")

    class SupportKind(models.TextChoices):
        CASH = "cash", _("현금")
        SERVICE = "service", _("서비스")
        FACILITY = "facility", _("시설")
        VOUCHER = "voucher", _("바우처")
        HOUSING = "housing", _("주거")

    class ApplyMethod(models.TextChoices):
        ONLINE = "online", _("이 누리집에서 온라인 신청")
        VISIT = "visit", _("방문 신청")
        PHONE = "phone", _("전화 신청")
        NONE = "none", _("신청 없이 이용")

    class Status(models.TextChoices):
        DRAFT = "draft", _("작성 중")
        PUBLISHED = "published", _("게시")
        CLOSED = "closed", _("종료")

    class TimelineAnchor(models.TextChoices):
        NONE = "", _("없음")
        DUE_DATE = "due_date", _("출산 예정일")
        BIRTH_DATE = "birth_date", _("자녀 출생일")

    slug = models.SlugField(_("주소 이름"), max_length=80, unique=True)
    title_ko = models.CharField(_("사업명(한국어)"), max_length=120)
    title_en = models.CharField(_("사업명(영어)"), max_length=160, blank=True)
    summary_ko = models.CharField(_("요약(한국어)"), max_length=300)
    summary_en = models.CharField(_("요약(영어)"), max_length=400, blank=True)
    description_ko = models.TextField(_("자세한 내용(한국어)"), blank=True)
    description_en = models.TextField(_("자세한 내용(영어)"), blank=True)
    life_stage = models.CharField(_("생애 단계"), max_length=30, choices=LifeStage.choices, db_index=True)
    household_tags = models.ManyToManyField(HouseholdTag, verbose_name=_("대상 가구"), blank=True,
                                            related_name="programs")
    topic = models.CharField(_("분야"), max_length=20, choices=Topic.choices, db_index=True)
    support_kind = models.CharField(_("지원 형태"), max_length=20, choices=SupportKind.choices)
    amount_max = models.PositiveBigIntegerField(_("최대 지원 금액(원)"), null=True, blank=True)
    eligibility_rules = models.JSONField(
        _("자격 규칙"), default=list, blank=True,
        help_text=_("맞춤 혜택 찾기가 평가하는 규칙 목록. programs/eligibility.py 참고."),
    )
    apply_method = models.CharField(_("신청 방법"), max_length=10, choices=ApplyMethod.choices)
    how_to_apply_ko = models.TextField(_("신청·이용 안내(한국어)"), blank=True)
    how_to_apply_en = models.TextField(_("신청·이용 안내(영어)"), blank=True)
    form_questions = models.JSONField(
        _("신청서 추가 질문"), default=list, blank=True,
        help_text=_('[{"key": "child_name", "label_ko": "…", "label_en": "…", "type": "text|number|date|yesno", '
                    '"required": true}]'),
    )
    office_ko = models.CharField(_("담당 부서(한국어)"), max_length=80)
    office_en = models.CharField(_("담당 부서(영어)"), max_length=120, blank=True)
    office_phone = models.CharField(_("문의 전화"), max_length=30)
    opens_on = models.DateField(_("신청 시작일"), null=True, blank=True)
    closes_on = models.DateField(_("신청 마감일"), null=True, blank=True)
    legal_basis_ko = models.CharField(_("근거 법령·조례(한국어)"), max_length=200, blank=True)
    legal_basis_en = models.CharField(_("근거 법령·조례(영어)"), max_length=250, blank=True)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    allows_repeat = models.BooleanField(_("반복 신청 허용"), default=False)
    # Facilities (toy library, sharing spaces, nursing rooms) instead of applications.
    is_facility = models.BooleanField(_("이용 시설"), default=False)
    address = models.CharField(_("주소"), max_length=200, blank=True)
    opening_hours_ko = models.CharField(_("운영 시간(한국어)"), max_length=200, blank=True)
    opening_hours_en = models.CharField(_("운영 시간(영어)"), max_length=250, blank=True)
    what_to_bring_ko = models.CharField(_("준비물(한국어)"), max_length=300, blank=True)
    what_to_bring_en = models.CharField(_("준비물(영어)"), max_length=400, blank=True)
    # Personal timeline: apply between anchor + start days and anchor + end days.
    timeline_anchor = models.CharField(_("일정 기준일"), max_length=12, choices=TimelineAnchor.choices, blank=True)
    timeline_start_days = models.IntegerField(_("기준일로부터 시작(일)"), null=True, blank=True)
    timeline_end_days = models.IntegerField(_("기준일로부터 마감(일)"), null=True, blank=True)
    created_at = models.DateTimeField(_("등록 일시"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 일시"), auto_now=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = _("사업")
        verbose_name_plural = _("사업")
        ordering = ["life_stage", "title_ko"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True) | Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("opens_on")),
                name="program_window_in_order",
            ),
        ]

    def __str__(self):
        return self.title_ko

    def get_absolute_url(self):
        return reverse("programs:detail", args=[self.slug])

    title = property(lambda self: localized(self, "title"))
    summary = property(lambda self: localized(self, "summary"))
    description = property(lambda self: localized(self, "description"))
    how_to_apply = property(lambda self: localized(self, "how_to_apply"))
    office = property(lambda self: localized(self, "office"))
    legal_basis = property(lambda self: localized(self, "legal_basis"))
    opening_hours = property(lambda self: localized(self, "opening_hours"))
    what_to_bring = property(lambda self: localized(self, "what_to_bring"))

    def is_open(self, today=None) -> bool:
        """Whether online applications are accepted today."""
        today = today or timezone.localdate()
        return (
            self.status == self.Status.PUBLISHED
            and self.apply_method == self.ApplyMethod.ONLINE
            and (self.opens_on is None or self.opens_on <= today)
            and (self.closes_on is None or self.closes_on >= today)
        )


class RequiredDocument(models.Model):
    """A document an applicant uploads with an application (e.g. a family relations certificate)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="required_documents",
                                verbose_name=_("사업"))
    name_ko = models.CharField(_("서류명(한국어)"), max_length=120)
    name_en = models.CharField(_("서류명(영어)"), max_length=160, blank=True)
    is_required = models.BooleanField(_("필수"), default=True)
    order = models.PositiveSmallIntegerField(_("표시 순서"), default=0)

    class Meta:
        verbose_name = _("제출 서류")
        verbose_name_plural = _("제출 서류")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name_ko

    name = property(lambda self: localized(self, "name"))


class FinderProfile(models.Model):
    """Finder answers a signed-in citizen chose to keep ("save to my profile")."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="finder_profile",
                                verbose_name=_("사용자"))
    answers = models.JSONField(_("찾기 답변"), default=dict)
    saved_at = models.DateTimeField(_("저장 일시"), auto_now=True)

    class Meta:
        verbose_name = _("맞춤 혜택 찾기 저장 답변")
        verbose_name_plural = _("맞춤 혜택 찾기 저장 답변")

    def __str__(self):
        return f"FinderProfile #{self.pk}"


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Applicants see their own; city clerks (who review) see all; everyone else nothing."""
        from accounts.roles import is_clerk

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_clerk(user):
            return self
        return self.filter(applicant=user)

    def active(self):
        return self.exclude(status__in=Application.INACTIVE)


class Application(models.Model):
    """A citizen's application to a program, from draft to decision."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("작성 중")
        SUBMITTED = "submitted", _("접수")
        UNDER_REVIEW = "under_review", _("검토 중")
        INFO_REQUESTED = "info_requested", _("보완 요청")
        INFO_PROVIDED = "info_provided", _("보완 제출")
        APPROVED = "approved", _("승인")
        REJECTED = "rejected", _("반려")
        WITHDRAWN = "withdrawn", _("신청 취소")

    # The only moves a status can make; every move is a service in programs.services.
    TRANSITIONS: dict[str, set[str]] = {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        Status.SUBMITTED: {Status.UNDER_REVIEW, Status.INFO_REQUESTED, Status.APPROVED, Status.REJECTED,
                           Status.WITHDRAWN},
        Status.UNDER_REVIEW: {Status.INFO_REQUESTED, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN},
        Status.INFO_REQUESTED: {Status.INFO_PROVIDED, Status.REJECTED, Status.WITHDRAWN},
        Status.INFO_PROVIDED: {Status.UNDER_REVIEW, Status.INFO_REQUESTED, Status.APPROVED, Status.REJECTED,
                               Status.WITHDRAWN},
        Status.APPROVED: set(),
        Status.REJECTED: set(),
        Status.WITHDRAWN: set(),
    }
    # Statuses that no longer count as "the" application of a person to a program.
    INACTIVE = (Status.REJECTED, Status.WITHDRAWN)
    DECIDED = (Status.APPROVED, Status.REJECTED)

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications",
                                verbose_name=_("사업"))
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications",
                                  verbose_name=_("신청인"))
    # Copied from the program when the application starts, so the database can enforce
    # "one active application per person per program" only where repeats are not allowed.
    single_per_person = models.BooleanField(_("1인 1건"), default=True, editable=False)
    reference = models.CharField(_("신청 번호"), max_length=20, unique=True, null=True, blank=True)
    status = models.CharField(_("상태"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    answers = models.JSONField(_("신청 내용"), default=dict, blank=True)
    contact_phone = models.CharField(_("연락처"), max_length=20, blank=True)
    consent_at = models.DateTimeField(_("개인정보 수집·이용 동의 시각"), null=True, blank=True)
    # Which notice the applicant agreed to (programs.services.CONSENT_VERSION); empty for older rows.
    consent_version = models.CharField(_("동의서 버전"), max_length=20, blank=True, default="", db_default="")
    # The phone number is an optional item: kept only with a consent of its own (PIPA), dated here.
    phone_consent_at = models.DateTimeField(_("선택 항목(휴대전화) 동의 시각"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("접수 일시"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("결정 일시"), null=True, blank=True)
    decision_reason = models.TextField(_("결정 사유"), blank=True)
    info_request = models.TextField(_("보완 요청 내용"), blank=True)
    created_at = models.DateTimeField(_("작성 시작"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 일시"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("신청")
        verbose_name_plural = _("신청")
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "program"],
                condition=Q(single_per_person=True) & ~Q(status__in=["rejected", "withdrawn"]),
                name="application_one_active_per_person_program",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(reference__isnull=False, submitted_at__isnull=False),
                name="application_submitted_has_reference",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self):
        return self.reference or f"draft #{self.pk}"

    def get_absolute_url(self):
        if self.reference:
            return reverse("my_applications:detail", args=[self.reference])
        return reverse("programs:apply", args=[self.program.slug])

    def access_log_subject(self):
        return (self.reference or f"draft #{self.pk}", self.applicant_id)

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    @property
    def is_decided(self) -> bool:
        return self.status in self.DECIDED


class ApplicationReferenceCounter(models.Model):
    """The last application number given out in a year: references run GM-2026-000001, 000002…

    ``programs.services.application_submit`` takes the year's row with ``select_for_update`` in the
    submitting transaction, so two submits never get the same number, and a submit that rolls back
    gives its number back (no gap a citizen could see)."""

    year = models.PositiveSmallIntegerField(_("연도"), primary_key=True)
    last_number = models.PositiveIntegerField(_("마지막 번호"), default=0)

    class Meta:
        verbose_name = _("신청 번호 카운터")
        verbose_name_plural = _("신청 번호 카운터")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class ApplicationDocument(models.Model):
    """A file uploaded with an application; stored privately, served only by a checking view.

    ``held``: a file of a 보완 제출 that passed its checks while another file of the same submission
    was refused. It is kept (so the citizen picks only the refused one again) but is not part of the
    application yet: reviewers do not see it, and ``application_provide_info`` files it with the
    rest of the supplement, or it goes when the request for information ends without one."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents",
                                    verbose_name=_("신청"))
    required_document = models.ForeignKey(RequiredDocument, null=True, blank=True, on_delete=models.SET_NULL,
                                          verbose_name=_("서류 종류"))
    file = models.FileField(_("파일"), upload_to=private_upload_to("applications"))
    original_name = models.CharField(_("원래 파일 이름"), max_length=200)
    size = models.PositiveIntegerField(_("크기(바이트)"))
    uploaded_at = models.DateTimeField(_("올린 시각"), auto_now_add=True)
    held = models.BooleanField(
        _("보완 제출 전 보관"), default=False,
        help_text=_("보완 제출 중 다른 파일이 거부되어 보관만 한 파일입니다. 보완 내용을 제출하면 함께 제출됩니다."))

    class Meta:
        verbose_name = _("제출 서류 파일")
        verbose_name_plural = _("제출 서류 파일")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    def access_log_subject(self):
        return (self.application.reference or f"draft #{self.application_id}", self.application.applicant_id)


class ApplicationEvent(models.Model):
    """One step of an application's history: shown to the citizen as a timeline."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history",
                                    verbose_name=_("신청"))
    from_status = models.CharField(_("이전 상태"), max_length=20, choices=Application.Status.choices, blank=True)
    to_status = models.CharField(_("바뀐 상태"), max_length=20, choices=Application.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("처리한 사람"))
    note = models.TextField(_("사유·메모"), blank=True)
    at = models.DateTimeField(_("일시"), default=timezone.now)

    class Meta:
        verbose_name = _("처리 이력")
        verbose_name_plural = _("처리 이력")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"


class TimelineSubscription(models.Model):
    """A signed-in citizen's "알림 받기" on their timeline: told before each window opens and closes.

    The dates are kept for this alone (the timeline itself stores nothing); the row goes when the
    citizen turns reminders off, when the last window has closed, or with the account.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="timeline_subscription")
    due_date = models.DateField(_("출산 예정일"), null=True, blank=True)
    birth_date = models.DateField(_("자녀 출생일"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("신청 일정 알림")
        verbose_name_plural = _("신청 일정 알림")
        constraints = [
            models.CheckConstraint(condition=Q(due_date__isnull=False) | Q(birth_date__isnull=False),
                                   name="timeline_subscription_has_a_date"),
        ]

    def __str__(self):
        return f"TimelineSubscription #{self.pk}"


class TimelineReminder(models.Model):
    """One reminder of a subscription, written when it is sent: the unique row makes it go once."""

    class Edge(models.TextChoices):
        OPENS = "opens", _("신청 시작")
        CLOSES = "closes", _("신청 마감")

    subscription = models.ForeignKey(TimelineSubscription, on_delete=models.CASCADE, related_name="reminders")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    edge = models.CharField(max_length=6, choices=Edge.choices)
    window_date = models.DateField()  # the day the window opens or closes
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("보낸 신청 일정 알림")
        verbose_name_plural = _("보낸 신청 일정 알림")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "program", "edge", "window_date"],
                                    name="timeline_reminder_once"),
        ]

    def __str__(self):
        return f"{self.edge} {self.window_date}"
