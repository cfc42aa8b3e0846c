"""Background exports: a large XLSX file written by a Celery task for the clerk who asked for it.

The file holds personal data (names), so it is stored privately, handed out only to its owner
through ``reports.views.export_job_download`` and only until ``expires_at``; the purge task then
deletes the file and the row.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def export_upload_to(instance, filename):
    """``reports_exports/<yyyy>/<random>.xlsx``: the stored name says nothing about the content."""
    return f"reports_exports/{timezone.now():%Y}/{uuid.uuid4().hex}.xlsx"


def new_token() -> str:
    return uuid.uuid4().hex


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only the person who asked for an export sees it (not other clerks, not superusers)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner=user)

    def downloadable(self, now=None):
        return self.filter(status=ExportJob.Status.DONE, expires_at__gt=now or timezone.now())


class ExportJob(models.Model):
    """One background export: pending → running → done | failed. Transitions in ``reports.services``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("대기 중")
        RUNNING = "running", _("만드는 중")
        DONE = "done", _("완료")
        FAILED = "failed", _("실패")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_exports",
                              verbose_name=_("요청자"))
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    kind = models.CharField(_("내보내기 종류"), max_length=40)
    format = models.CharField(_("형식"), max_length=10, default="xlsx")
    language = models.CharField(_("머리글 언어"), max_length=5, default="ko")
    filters = models.JSONField(_("조건"), default=dict, blank=True)
    reason = models.CharField(_("내려받는 사유"), max_length=300, blank=True)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rows = models.PositiveIntegerField(_("행 수"), null=True, blank=True)
    file = models.FileField(_("파일"), upload_to=export_upload_to, blank=True)
    error = models.TextField(_("오류"), blank=True)
    created_at = models.DateTimeField(_("요청 시각"), auto_now_add=True)
    started_at = models.DateTimeField(_("시작 시각"), null=True, blank=True)
    finished_at = models.DateTimeField(_("완료 시각"), null=True, blank=True)
    expires_at = models.DateTimeField(_("내려받기 기한"))

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("내보내기 작업")
        verbose_name_plural = _("내보내기 작업")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["expires_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "running", "done", "failed"]),
                                   name="reports_exportjob_status_valid"),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(file=""), name="reports_exportjob_done_has_file"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
