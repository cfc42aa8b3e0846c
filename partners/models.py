"""The city's partner agencies and who works for them.

The city itself is recorded as an institution too (``is_city``): for matchmaking it is the
eleventh institution whose staff may join.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gwangmyeong_portal.i18n_fields import localized


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
    logo = models.FileField(_("로고"), upload_to="agency_logos/", blank=True)
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

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="email_domains")
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


class AgencyMembership(models.Model):
    """A user working for an agency, with what they may do for it (pretix-style ``can_*`` flags).

    A user belongs to at most one agency.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_membership")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    can_report_activities = models.BooleanField(_("활동 보고"), default=False)
    can_request_lectures = models.BooleanField(_("강사 파견 요청"), default=False)
    can_verify_employees = models.BooleanField(_("직원 확인(만남 행사)"), default=False)
    can_manage_events = models.BooleanField(_("행사 관리"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("기관 소속 직원")
        verbose_name_plural = _("기관 소속 직원")

    def __str__(self):
        return f"{self.user} @ {self.agency}"
