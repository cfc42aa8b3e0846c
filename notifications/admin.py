from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gwangmyeong_portal.access_log import AccessLoggedAdminMixin

from . import services
from .kinds import account_mail_kind_keys
from .models import Message


@admin.register(Message)
class MessageAdmin(AccessLoggedAdminMixin, admin.ModelAdmin):
    """The delivery log: clerks see what was sent to whom and resend failures; nobody edits content."""

    list_display = ("created_at", "recipient_email", "kind", "channel", "status", "receipt", "attempts",
                    "last_error_short", "fallback_link", "sent_at")
    list_filter = ("status", "channel", "receipt", "kind")
    search_fields = ("recipient__email",)
    list_select_related = ("recipient", "fallback", "fallback_of")
    date_hierarchy = "created_at"
    actions = ["resend_failed"]
    fields = ("recipient", "kind", "channel", "status", "attempts", "last_error", "idempotency_key", "link",
              "subject", "body", "context", "not_before", "claimed_at", "created_at", "sent_at", "read_at",
              # 알림톡: what the provider reported, and the text that stood in for it (or the 알림톡 it stood in for).
              "provider_message_id", "provider_status", "receipt", "receipt_at", "fallback_link", "fallback_of")

    def get_fields(self, request, obj=None):
        # An account mail's text and variables hold one-time links (password reset, e-mail confirmation).
        if obj is not None and obj.kind in account_mail_kind_keys():
            return tuple(name for name in self.fields if name not in ("body", "context"))
        return self.fields

    def get_queryset(self, request):
        return Message.objects.visible_to(request.user).select_related("recipient", "fallback", "fallback_of")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the log is the record of what was sent; erasure goes through account deletion

    @admin.display(description=_("받는 사람 이메일"), ordering="recipient__email")
    def recipient_email(self, obj):
        return obj.recipient.email

    @admin.display(description=_("마지막 오류"))
    def last_error_short(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.display(description=_("대체 발송"))
    def fallback_link(self, obj):
        """The SMS/LMS sent because this 알림톡 was not delivered — or, on that text, the 알림톡."""
        try:
            other, label = obj.fallback, _("대체 문자 #%(id)s")
        except Message.DoesNotExist:
            other, label = obj.fallback_of, _("원래 알림톡 #%(id)s")
        if other is None:
            return ""
        url = reverse("admin:notifications_message_change", args=[other.pk])
        return format_html('<a href="{}">{}</a>', url, label % {"id": other.pk})

    @admin.action(description=_("실패한 알림 다시 보내기"), permissions=["change"])
    def resend_failed(self, request, queryset):
        count = 0
        with transaction.atomic():
            for message in queryset.filter(status=Message.Status.FAILED):
                count += services.message_resend(message=message)
        self.message_user(
            request,
            ngettext("%(count)d건을 다시 보내도록 했습니다.", "%(count)d건을 다시 보내도록 했습니다.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
