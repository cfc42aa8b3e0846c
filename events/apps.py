from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """The fair and event calendar with registration, waitlists and check-in."""

    name = "events"
    verbose_name = _("행사·박람회")

    def me_section(self, request):
        from django.utils import timezone

        from .models import Registration

        upcoming = Registration.objects.filter(
            user=request.user, status__in=Registration.ACTIVE, event__ends_at__gte=timezone.now()
        ).count()
        return {"template": "events/_me_section.html", "context": {"upcoming": upcoming}}

    def personal_data_export(self, user) -> dict:
        from .models import ProgramInterest, Registration

        rows = Registration.objects.filter(user=user).select_related("event").order_by("created_at", "pk")
        return {
            "event_registrations": [
                {"event": r.event.title_ko, "starts_at": r.event.starts_at.isoformat(), "status": r.status,
                 "party_size": r.party_size, "answers": r.answers, "registered": r.created_at.isoformat(),
                 "checked_in": r.checked_in_at.isoformat() if r.checked_in_at else None,
                 "feedback": ({"rating": r.feedback.rating, "comment": r.feedback.comment}
                              if hasattr(r, "feedback") else None)}
                for r in rows
            ],
            "program_interests": [
                {"program": i.program.title_ko, "saved": i.created_at.isoformat()}
                for i in ProgramInterest.objects.filter(user=user).select_related("program")
            ],
        }

    def personal_data_erase(self, user) -> list[str]:
        from django.core.exceptions import ValidationError
        from django.utils import timezone

        from .models import ProgramInterest, Registration
        from .services import registration_cancel

        # Free held places first so the waitlist moves on; then nothing is kept.
        for registration in Registration.objects.filter(
            user=user, status__in=Registration.ACTIVE, event__ends_at__gt=timezone.now()
        ).exclude(status=Registration.Status.ATTENDED):
            try:
                registration_cancel(registration=registration)
            except ValidationError:
                pass
        Registration.objects.filter(user=user).delete()
        ProgramInterest.objects.filter(user=user).delete()
        return []
