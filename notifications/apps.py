from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Every message the portal sends: in-app, email and SMS through Celery."""

    name = "notifications"
    verbose_name = _("알림")

    def ready(self):
        # Each app declares its message kinds in <app>/notification_kinds.py.
        autodiscover_modules("notification_kinds")
        from gwangmyeong_portal import health

        from .selectors import message_health_figures

        if message_health_figures not in health.EXTRA_FIGURES:
            health.EXTRA_FIGURES.append(message_health_figures)

    def me_section(self, request):
        return {"template": "notifications/_me_section.html", "context": {}}

    def personal_data_export(self, user) -> dict:
        from .models import Message, NotificationPreference

        messages = Message.objects.filter(recipient=user).order_by("created_at", "pk")
        return {
            "messages": [
                {"kind": m.kind, "channel": m.channel, "status": m.status, "created": m.created_at.isoformat(),
                 "subject": m.subject}
                for m in messages
            ],
            # The choices the person made; a kind and channel not listed follows the kind's default.
            "preferences": [
                {"kind": p.kind, "channel": p.channel, "enabled": p.enabled}
                for p in NotificationPreference.objects.filter(user=user).order_by("kind", "channel")
            ],
        }

    def personal_data_erase(self, user) -> list[str]:
        from .models import Message, NotificationPreference

        Message.objects.filter(recipient=user).delete()
        NotificationPreference.objects.filter(user=user).delete()
        return []
