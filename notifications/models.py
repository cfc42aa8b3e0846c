"""Outgoing messages (one row per recipient, kind and channel) and each user's channel choices."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .kinds import private_kind_keys


class MessageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Citizens and agency staff see their own messages; clerks with the view permission see the
        delivery log of everyone (the admin), superusers too — except messages of private kinds
        (``Kind.private``: the meetup registry's), which only their recipient ever sees. Anonymous
        users see nothing."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser or user.has_perm("notifications.view_message"):
            return self.filter(Q(recipient=user) | ~Q(kind__in=private_kind_keys()))
        return self.filter(recipient=user)

    def owned_by(self, user):
        """The user's own messages: always a subset of ``visible_to(user)``, without the permission
        lookup — the inbox and the header badge on every page use it."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def inbox(self):
        """What a recipient's in-app inbox shows: delivered in-app rows."""
        return self.filter(channel=Message.Channel.INAPP, status=Message.Status.SENT)


class Message(models.Model):
    """One message to one recipient on one channel, written before it is sent.

    The row is the source of truth: a task sends it by id, the status guard (pending/held →
    sending → sent/failed) and the unique ``idempotency_key`` make a repeated ``notify`` call or a
    redelivered task harmless. ``context`` is what the caller gave; ``subject`` and ``body`` are
    filled at delivery, rendered in the recipient's language.
    """

    class Channel(models.TextChoices):
        INAPP = "inapp", _("앱 알림함")
        EMAIL = "email", _("이메일")
        SMS = "sms", _("문자")
        ALIMTALK = "alimtalk", _("카카오 알림톡")

    class Receipt(models.TextChoices):
        """What the provider reported after accepting an 알림톡 (``notifications.alimtalk``)."""

        NONE = "", _("해당 없음")
        AWAITING = "awaiting", _("결과 대기")
        DELIVERED = "delivered", _("수신 완료")
        UNDELIVERED = "undelivered", _("수신 실패")

    class Status(models.TextChoices):
        PENDING = "pending", _("발송 대기")
        HELD = "held", _("야간 보류")
        SENDING = "sending", _("발송 중")
        SENT = "sent", _("발송 완료")
        FAILED = "failed", _("발송 실패")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_messages",
        verbose_name=_("받는 사람"),
    )
    kind = models.CharField(_("종류"), max_length=100)
    channel = models.CharField(_("채널"), max_length=10, choices=Channel.choices)
    idempotency_key = models.CharField(_("중복 방지 키"), max_length=255, unique=True)
    context = models.JSONField(_("내용 변수"), default=dict, blank=True)
    link = models.CharField(_("연결 주소"), max_length=500, blank=True)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("시도 횟수"), default=0)
    last_error = models.TextField(_("마지막 오류"), blank=True)
    not_before = models.DateTimeField(_("발송 가능 시각"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("발송 시작 시각"), null=True, blank=True)
    subject = models.CharField(_("제목"), max_length=300, blank=True)
    body = models.TextField(_("본문"), blank=True)
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True)
    sent_at = models.DateTimeField(_("발송 시각"), null=True, blank=True)
    read_at = models.DateTimeField(_("읽은 시각"), null=True, blank=True)
    # 알림톡: the provider's id of the accepted message, its latest status code and what it means.
    provider_message_id = models.CharField(_("발송사 메시지 ID"), max_length=64, blank=True, db_index=True)
    provider_status = models.CharField(_("발송사 상태 코드"), max_length=16, blank=True)
    receipt = models.CharField(_("수신 결과"), max_length=12, choices=Receipt.choices, blank=True, default="")
    receipt_at = models.DateTimeField(_("수신 결과 시각"), null=True, blank=True)
    # A text sent because the 알림톡 it stands in for was not delivered: the log shows both rows.
    fallback_of = models.OneToOneField("self", on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="fallback", verbose_name=_("대체 발송한 원래 알림"))

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("알림 발송 기록")
        verbose_name_plural = _("알림 발송 기록")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "held", "sending", "sent", "failed"]),
                name="notifications_message_status_valid",
            ),
            models.CheckConstraint(condition=Q(channel__in=["inapp", "email", "sms", "alimtalk"]),
                                   name="notifications_message_channel_valid"),
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False),
                                   name="notifications_message_sent_has_time"),
            models.CheckConstraint(condition=~Q(status="sending") | Q(claimed_at__isnull=False),
                                   name="notifications_message_sending_has_claim"),
            models.CheckConstraint(condition=Q(receipt__in=["", "awaiting", "delivered", "undelivered"]),
                                   name="notifications_message_receipt_valid"),
        ]
        indexes = [
            # The header badge: unread delivered in-app messages of one person.
            models.Index(fields=["recipient", "created_at"], name="notif_unread_idx",
                         condition=Q(channel="inapp", status="sent", read_at__isnull=True)),
            # The sweep and /healthz: rows not finished yet.
            models.Index(fields=["status", "created_at"], name="notif_open_idx",
                         condition=Q(status__in=["pending", "held", "sending", "failed"])),
            # The nightly retention purge and the admin's date drill-down: rows by age.
            models.Index(fields=["created_at"], name="notif_created_idx"),
            # The receipt poll: accepted 알림톡 still waiting for the provider's report.
            models.Index(fields=["sent_at"], name="notif_receipt_wait_idx", condition=Q(receipt="awaiting")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.channel}, {self.status})"

    def access_log_subject(self):
        return (f"user #{self.recipient_id}", self.recipient_id)

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """A user's choice for one kind and channel. No row means the kind's default applies."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences", verbose_name=_("사용자"))
    kind = models.CharField(_("종류"), max_length=100)
    channel = models.CharField(_("채널"), max_length=10, choices=Message.Channel.choices)
    enabled = models.BooleanField(_("받기"))

    class Meta:
        verbose_name = _("알림 수신 설정")
        verbose_name_plural = _("알림 수신 설정")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="notifications_pref_unique"),
            # In-app is the inbox: always on, so it is never stored as a preference.
            models.CheckConstraint(condition=Q(channel__in=["email", "sms", "alimtalk"]),
                                   name="notifications_pref_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}/{self.channel}: {'on' if self.enabled else 'off'}"
