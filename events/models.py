"""The fair and event calendar: events (with sub-events and weekly series), registrations with a
waitlist, and feedback after the event.

Writes go through ``events.services``; every queryset a user reaches goes through
``Event.objects.visible_to(user)`` / ``managed_by(user)`` and ``Registration.objects.visible_to(user)``.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gwangmyeong_portal.i18n_fields import localized


class LifeStage(models.TextChoices):
    """The three life stages, with the same codes the programs app uses."""

    PREGNANCY_BIRTH = "pregnancy_birth", _("임신·출산")
    CHILDCARE_EDUCATION = "childcare_education", _("보육·교육")
    JOBS_HOUSING = "jobs_housing", _("일자리·주거")


def stages_to_text(stages) -> str:
    """Comma-joined, de-duplicated, known codes in the canonical order."""
    wanted = set(stages or ())
    return ",".join(code for code in LifeStage.values if code in wanted)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _is_clerk(user) -> bool:
    from accounts.roles import is_clerk

    return is_clerk(user)


def _managing_agency_id(user) -> int | None:
    """The agency whose events ``user`` may manage (a membership with ``can_manage_events``)."""
    from partners.selectors import membership_for

    membership = membership_for(user)
    if membership is not None and membership.can_manage_events:
        return membership.agency_id
    return None


class EventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Public events for everyone; unpublished ones only for those who manage them."""
        if getattr(user, "is_authenticated", False):
            if _is_clerk(user):
                return self
            agency_id = _managing_agency_id(user)
            if agency_id is not None:
                return self.filter(Q(is_public=True) | Q(organiser_id=agency_id))
        return self.filter(is_public=True)

    def managed_by(self, user):
        """Events ``user`` may manage: clerks (and superusers) all; agency staff with
        ``can_manage_events`` only their own agency's; everyone else none."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if _is_clerk(user):
            return self
        agency_id = _managing_agency_id(user)
        if agency_id is None:
            return self.none()
        return self.filter(organiser_id=agency_id)

    def top_level(self):
        return self.filter(parent__isnull=True)

    def in_range(self, start, end):
        """Events overlapping [start, end)."""
        return self.filter(starts_at__lt=end, ends_at__gte=start)

    def with_stage(self, code: str):
        # Stage codes are not substrings of each other, so a contains match on the comma list is exact.
        return self.filter(life_stages__contains=code)


class EventFields(models.Model):
    """What an event and a series that generates events have in common."""

    class Type(models.TextChoices):
        FAIR = "fair", _("박람회")
        CLASS = "class", _("교실·강좌")
        LECTURE = "lecture", _("강연")
        MEETUP = "meetup", _("만남 행사")
        PROGRAM_SESSION = "program_session", _("사업 설명회·회차")
        OTHER = "other", _("기타")

    title_ko = models.CharField(_("제목(한국어)"), max_length=200)
    title_en = models.CharField(_("제목(영어)"), max_length=200, blank=True)
    description_ko = models.TextField(_("설명(한국어)"), blank=True)
    description_en = models.TextField(_("설명(영어)"), blank=True)
    type = models.CharField(_("종류"), max_length=20, choices=Type.choices, default=Type.OTHER)
    life_stages = models.CharField(
        _("생애주기"), max_length=80, blank=True,
        help_text=_("쉼표로 구분한 생애주기 코드: pregnancy_birth, childcare_education, jobs_housing"),
    )
    organiser = models.ForeignKey(
        "partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="organised_%(class)s",
        verbose_name=_("주관 기관"), help_text=_("비워 두면 광명시 부서가 주관합니다."),
    )
    organiser_office = models.CharField(_("주관 부서"), max_length=100, blank=True,
                                        help_text=_("예: 여성가족과"))
    venue = models.CharField(_("장소"), max_length=200, blank=True)
    address = models.CharField(_("주소"), max_length=200, blank=True)
    audience = models.CharField(_("대상"), max_length=200, blank=True)
    registration_required = models.BooleanField(_("사전 신청 필요"), default=False)
    capacity = models.PositiveIntegerField(_("정원(명)"), null=True, blank=True,
                                           help_text=_("비워 두면 인원 제한이 없습니다."))
    party_size_max = models.PositiveSmallIntegerField(_("한 번에 신청할 수 있는 인원"), default=1,
                                                      help_text=_("부부 교실은 2"))
    waitlist_limit = models.PositiveIntegerField(_("대기 인원 한도(명)"), default=0,
                                                 help_text=_("0이면 대기 신청을 받지 않습니다."))
    offer_hold_hours = models.PositiveSmallIntegerField(
        _("빈자리 제안 유지 시간(시간)"), default=24,
        help_text=_("대기자에게 빈자리를 제안한 뒤 수락을 기다리는 시간"),
    )
    questions = models.JSONField(
        _("추가 질문"), default=list, blank=True,
        help_text=_('[{"key": "due_month", "label_ko": "출산 예정 월", "label_en": "Due month", "required": false}]'),
    )

    class Meta:
        abstract = True

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def stage_list(self) -> list[str]:
        return [code for code in self.life_stages.split(",") if code]

    @property
    def stage_labels(self) -> list[str]:
        labels = dict(LifeStage.choices)
        return [labels[code] for code in self.stage_list if code in labels]

    @property
    def shares_with_organiser(self) -> bool:
        """A partner agency (not the city itself) runs it: registrants' data is provided to that
        agency, which PIPA asks a consent of its own for (a third-party provision)."""
        return bool(self.organiser_id) and not self.organiser.is_city

    @property
    def organiser_name(self) -> str:
        if self.organiser_id:
            return self.organiser.name
        return self.organiser_office or str(_("광명시"))


class EventSeriesQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Public series for everyone; unpublished ones only for those who manage them."""
        if getattr(user, "is_authenticated", False):
            if _is_clerk(user):
                return self
            agency_id = _managing_agency_id(user)
            if agency_id is not None:
                return self.filter(Q(is_public=True) | Q(organiser_id=agency_id))
        return self.filter(is_public=True)


class EventSeries(EventFields):
    """A repeating event (a weekly couples' class): generates one dated ``Event`` per week. As a
    course (``course_registration``) one registration takes a place in every session."""

    weekday = models.PositiveSmallIntegerField(
        _("요일"), choices=[(0, _("월요일")), (1, _("화요일")), (2, _("수요일")), (3, _("목요일")),
                           (4, _("금요일")), (5, _("토요일")), (6, _("일요일"))],
    )
    start_time = models.TimeField(_("시작 시각"))
    duration_minutes = models.PositiveIntegerField(_("진행 시간(분)"), default=90)
    first_date = models.DateField(_("첫 회 날짜"))
    last_date = models.DateField(_("마지막 회 날짜"))
    registration_opens_days_before = models.PositiveSmallIntegerField(_("신청 시작(며칠 전)"), default=30)
    registration_closes_hours_before = models.PositiveSmallIntegerField(_("신청 마감(몇 시간 전)"), default=24)
    is_public = models.BooleanField(_("공개"), default=True)
    course_registration = models.BooleanField(
        _("강좌 전체 신청"), default=False,
        help_text=_("켜면 한 번 신청으로 남은 모든 회차에 자리를 잡습니다(회차별 신청은 받지 않습니다)."))
    created_at = models.DateTimeField(_("등록 시각"), auto_now_add=True)

    objects = EventSeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("반복 행사")
        verbose_name_plural = _("반복 행사")
        ordering = ["first_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(last_date__gte=models.F("first_date")),
                                   name="events_series_dates_ordered"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="events_series_weekday_range"),
            models.CheckConstraint(condition=Q(party_size_max__gte=1), name="events_series_party_size_min"),
        ]

    def __str__(self):
        return self.title_ko

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("events:series", args=[self.pk])


class Event(EventFields):
    """One dated event on the calendar: the fair, a booth or talk within it, a class session, a lecture."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("예정")
        CANCELLED = "cancelled", _("취소")
        POSTPONED = "postponed", _("연기")

    starts_at = models.DateTimeField(_("시작"), db_index=True)
    ends_at = models.DateTimeField(_("종료"))
    status = models.CharField(_("상태"), max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    is_public = models.BooleanField(_("공개"), default=True, help_text=_("끄면 관리하는 사람만 봅니다."))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="sub_events", verbose_name=_("상위 행사"))
    series = models.ForeignKey(EventSeries, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="occurrences", verbose_name=_("반복 행사"))
    registration_opens_at = models.DateTimeField(_("신청 시작"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("신청 마감"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", editable=False, verbose_name=_("등록한 사람"))
    created_at = models.DateTimeField(_("등록 시각"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)
    # ICS SEQUENCE: bumped on every change calendars must pick up (time, place, cancellation).
    sequence = models.PositiveIntegerField(_("달력 변경 번호"), default=0, editable=False,
                                           help_text=_("일시·장소·상태가 바뀔 때마다 올라가 구독한 달력이 고칩니다."))
    # A fair booth or talk can point to the city's programs: its poster QR records interest in them.
    programs = models.ManyToManyField("programs.Program", blank=True, related_name="linked_events",
                                      verbose_name=_("연결된 사업"))

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("행사")
        verbose_name_plural = _("행사")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="events_status_start_idx"),
            # The calendar asks "what overlaps this month" (ends_at >= start, starts_at < end). Past
            # events pile up over the years, so ends_at is the selective side; starts_at rides along
            # in the index so both conditions are checked without visiting the table.
            models.Index(fields=["ends_at", "starts_at"], name="events_event_span_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")),
                                   name="events_event_ends_after_start"),
            models.CheckConstraint(condition=Q(party_size_max__gte=1), name="events_event_party_size_min"),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True) | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gte=models.F("registration_opens_at")),
                name="events_event_window_ordered",
            ),
            models.CheckConstraint(condition=Q(status__in=["scheduled", "cancelled", "postponed"]),
                                   name="events_event_status_valid"),
            models.UniqueConstraint(fields=["series", "starts_at"], name="events_one_occurrence_per_slot"),
        ]

    def __str__(self):
        return f"{self.title_ko} ({self.starts_at:%Y-%m-%d})" if self.starts_at else self.title_ko

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("events:detail", args=[self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def registration_open_at(self, now: datetime) -> bool:
        """Whether this event takes registrations at ``now``: the one rule of the event page and
        the open data API (``registration_window_open`` spells it out)."""
        return self.registration_window_open(
            now=now, registration_required=self.registration_required, status=self.status,
            starts_at=self.starts_at, registration_opens_at=self.registration_opens_at,
            registration_closes_at=self.registration_closes_at,
        )

    @staticmethod
    def registration_window_open(*, now: datetime, registration_required: bool, status: str, starts_at: datetime,
                                 registration_opens_at: datetime | None,
                                 registration_closes_at: datetime | None) -> bool:
        """The rule on plain values, for callers holding a cached row rather than an ``Event``
        (``api.selectors``): registration is required, the event is scheduled (not cancelled or
        postponed) and has not started, the window has opened (``opens_at`` itself included) and
        not closed (``closes_at`` itself included). It matches what
        ``events.services.registrations.registration_create`` refuses.

        A session of a course series (``EventSeries.course_registration``) is not excluded here:
        its event page sends the citizen to the series page to register for the whole course,
        while the open data API reports the session's own window."""
        return (
            registration_required and status == Event.Status.SCHEDULED and now < starts_at
            and (registration_opens_at is None or registration_opens_at <= now)
            and (registration_closes_at is None or now <= registration_closes_at)
        )

    @property
    def map_url(self) -> str:
        from urllib.parse import quote

        return f"https://map.kakao.com/link/search/{quote(self.address)}" if self.address else ""


class RegistrationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A citizen sees their own; organisers see registrations of events they manage."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        managed = Event.objects.managed_by(user)
        return self.filter(Q(user=user) | Q(event__in=managed.values("pk")))


class Registration(models.Model):
    """A person's registration for an event: confirmed, on the waitlist, offered a freed place,
    cancelled or attended. Transitions live in ``events.services``."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("확정")
        WAITLISTED = "waitlisted", _("대기")
        OFFERED = "offered", _("빈자리 제안")
        CANCELLED = "cancelled", _("취소")
        ATTENDED = "attended", _("참석")

    # Statuses that hold a place against capacity (an offer holds it until it expires).
    HOLDS_PLACE = (Status.CONFIRMED, Status.OFFERED, Status.ATTENDED)
    ACTIVE = (Status.CONFIRMED, Status.WAITLISTED, Status.OFFERED, Status.ATTENDED)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations",
                              verbose_name=_("행사"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations",
                             verbose_name=_("신청자"))
    party_size = models.PositiveSmallIntegerField(_("인원"), default=1)
    status = models.CharField(_("상태"), max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    answers = models.JSONField(_("추가 질문 답변"), default=dict, blank=True)
    token = models.CharField(_("입장 QR 토큰"), max_length=64, unique=True, default=new_token, editable=False)
    offer_expires_at = models.DateTimeField(_("제안 만료"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("입장 확인"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("취소 시각"), null=True, blank=True)
    reminded_day_before_at = models.DateTimeField(_("전날 알림 시각"), null=True, blank=True, editable=False)
    reminded_two_hours_at = models.DateTimeField(_("2시간 전 알림 시각"), null=True, blank=True, editable=False)
    feedback_requested_at = models.DateTimeField(_("만족도 조사 요청 시각"), null=True, blank=True, editable=False)
    # PIPA consent to the collection notice on the registration form: which text, and when. Rows from
    # before the notice existed (and bulk-loaded benchmark rows) have neither, hence the database default.
    consent_version = models.CharField(_("동의서 버전"), max_length=20, blank=True, default="", db_default="")
    consented_at = models.DateTimeField(_("개인정보 수집·이용 동의 시각"), null=True, blank=True)
    # For an event a partner agency runs: when the registrant agreed to their data being provided to it.
    provision_consented_at = models.DateTimeField(_("제3자 제공 동의 시각"), null=True, blank=True)
    # One session's place of a course registration (the whole series at once), if it is one.
    course = models.ForeignKey("CourseRegistration", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="registrations", verbose_name=_("강좌 신청"))
    created_at = models.DateTimeField(_("신청 시각"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("행사 신청")
        verbose_name_plural = _("행사 신청")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["event", "status", "created_at"], name="events_reg_queue_idx")]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], condition=~Q(status="cancelled"),
                                    name="events_one_active_registration"),
            models.CheckConstraint(condition=Q(party_size__gte=1), name="events_reg_party_size_min"),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "waitlisted", "offered", "cancelled", "attended"]),
                name="events_reg_status_valid",
            ),
            models.CheckConstraint(condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                                   name="events_reg_offer_has_expiry"),
            models.CheckConstraint(condition=~Q(status="attended") | Q(checked_in_at__isnull=False),
                                   name="events_reg_attended_checked_in"),
        ]

    def __str__(self):
        return f"{self.event.title_ko} — {self.user} ({self.get_status_display()})"

    def access_log_subject(self):
        return str(self.user), self.user_id

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class Feedback(models.Model):
    """A short rating and comment from an attendee after the event."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="feedback",
                                        verbose_name=_("행사 신청"))
    rating = models.PositiveSmallIntegerField(_("만족도"), choices=[(i, str(i)) for i in range(1, 6)])
    comment = models.TextField(_("의견"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("작성 시각"), auto_now_add=True)

    class Meta:
        verbose_name = _("행사 만족도")
        verbose_name_plural = _("행사 만족도")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="events_feedback_rating_range"),
        ]

    def __str__(self):
        return f"{self.registration.event.title_ko}: {self.rating}"

    def access_log_subject(self):
        return self.registration.access_log_subject()


class ProgramInterest(models.Model):
    """A citizen's interest in a program, recorded by scanning a booth's poster at the fair.

    The citizen sees it on their page and is told once when the program opens for applications."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_interests",
                             verbose_name=_("시민"))
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="interests",
                                verbose_name=_("사업"))
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="interests",
                              verbose_name=_("기록한 행사"))
    created_at = models.DateTimeField(_("기록 시각"), auto_now_add=True)
    notified_open_at = models.DateTimeField(_("신청 시작 알림"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("관심 사업")
        verbose_name_plural = _("관심 사업")
        ordering = ["-created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "program"], name="events_one_interest_per_program")]

    def __str__(self):
        return f"{self.user} → {self.program}"

    def access_log_subject(self):
        return str(self.user), self.user_id


class OrganiserMessage(models.Model):
    """A message an organiser sent, or scheduled, to registrants of one event: the history on the
    organiser's page, and what tells a repeated send from a deliberate second one."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="organiser_messages",
                              verbose_name=_("행사"))
    text = models.TextField(_("보낸 내용"), max_length=1000)
    statuses = models.CharField(_("받는 사람(신청 상태)"), max_length=100,
                                help_text=_("쉼표로 구분한 신청 상태 코드"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("보낸 사람"))
    created_at = models.DateTimeField(_("작성 시각"), auto_now_add=True)
    send_at = models.DateTimeField(_("예약 발송 시각"), null=True, blank=True)
    sent_at = models.DateTimeField(_("발송 시각"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("예약 취소 시각"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("받은 사람 수"), default=0)

    class Meta:
        verbose_name = _("신청자 안내 발송 기록")
        verbose_name_plural = _("신청자 안내 발송 기록")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["send_at"], name="events_orgmsg_due_idx",
                                condition=Q(sent_at__isnull=True, cancelled_at__isnull=True))]

    def __str__(self):
        return f"{self.event.title_ko}: {self.text[:30]}"

    @property
    def status_list(self) -> list[str]:
        return [code for code in self.statuses.split(",") if code]

    @property
    def status_labels(self) -> str:
        labels = dict(Registration.Status.choices)
        return ", ".join(str(labels[code]) for code in self.status_list if code in labels)

    @property
    def is_scheduled(self) -> bool:
        return self.sent_at is None and self.cancelled_at is None


class CourseRegistration(models.Model):
    """One registration for a whole course (a series with ``course_registration``): it holds a
    confirmed ``Registration`` in every session that had not started when it was made."""

    series = models.ForeignKey(EventSeries, on_delete=models.CASCADE, related_name="course_registrations",
                               verbose_name=_("반복 행사"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_registrations",
                             verbose_name=_("신청자"))
    party_size = models.PositiveSmallIntegerField(_("인원"), default=1)
    created_at = models.DateTimeField(_("신청 시각"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("취소 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("강좌 신청")
        verbose_name_plural = _("강좌 신청")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "user"], condition=Q(cancelled_at__isnull=True),
                                    name="events_one_active_course_registration"),
            models.CheckConstraint(condition=Q(party_size__gte=1), name="events_course_party_size_min"),
        ]

    def __str__(self):
        return f"{self.series.title_ko} — {self.user}"

    def access_log_subject(self):
        return str(self.user), self.user_id
