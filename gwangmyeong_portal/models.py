"""Project-wide records. The personal-data access log (PIPA 접속기록) lives here because every
app writes to it through one service (``gwangmyeong_portal.access_log``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLogEntry(models.Model):
    """One staff view, change, creation, deletion or export of someone's personal data.

    Rows are append-only: the admin cannot add, change or delete them, ``save`` refuses to
    update an existing row, and on PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE from
    any role (migration ``0002``). The one exception is the database function
    ``portal_access_log_purge(cutoff)``, through which the retention job (``access_log_purge``)
    removes rows older than ``ACCESS_LOG_RETENTION_DAYS`` and writes a row saying so. (Deleting a
    staff account may still clear ``actor``: ``actor_email`` keeps who it was.)
    """

    class Action(models.TextChoices):
        VIEW = "view", _("조회")
        LIST = "list", _("목록 조회")
        CREATE = "create", _("입력")
        CHANGE = "change", _("수정")
        DELETE = "delete", _("삭제")
        EXPORT = "export", _("다운로드")
        PRINT = "print", _("출력")
        # The retention job's own row: how many rows older than which date it removed.
        PURGE = "purge", _("보존기간 경과 삭제")

    at = models.DateTimeField(_("일시"), auto_now_add=True, db_index=True)
    # The account is kept as a snapshot too: the log must still say who it was if the account is
    # anonymised later.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("처리자"), null=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_email = models.CharField(_("처리자 계정"), max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(_("접속지 IP"), null=True, blank=True)
    action = models.CharField(_("수행 업무"), max_length=10, choices=Action.choices, db_index=True)
    record_type = models.CharField(_("대상 종류"), max_length=80)
    record_id = models.CharField(_("대상 번호"), max_length=80, blank=True)
    subject_label = models.CharField(
        _("정보주체"), max_length=200, blank=True, db_index=True,
        help_text=_("정보주체 식별값: 신청번호, 사용자 번호, 프로필 번호 등"),
    )
    subject_user_id = models.BigIntegerField(_("정보주체 사용자 번호"), null=True, blank=True, db_index=True)
    reason = models.CharField(_("다운로드 사유"), max_length=300, blank=True)
    detail = models.JSONField(_("상세"), default=dict, blank=True)
    path = models.CharField(_("요청 경로"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("개인정보 접속기록")
        verbose_name_plural = _("개인정보 접속기록")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["record_type", "record_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_email} {self.action} {self.record_type}#{self.record_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Access log entries are append-only")
        super().save(*args, **kwargs)
