from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    """Life-cycle programs: catalog, eligibility finder, applications and review."""

    name = "programs"
    verbose_name = _("생애주기 정책 사업")

    def me_section(self, request):
        from .models import FinderProfile, TimelineSubscription
        from .selectors import application_list_for

        return {
            "template": "programs/_me_section.html",
            "context": {
                "applications": list(application_list_for(request.user)[:5]),
                "finder_profile": FinderProfile.objects.filter(user=request.user).first(),
                "timeline_subscription": TimelineSubscription.objects.filter(user=request.user).first(),
            },
        }

    def personal_data_export(self, user) -> dict:
        from .models import Application, FinderProfile, TimelineSubscription

        subscription = TimelineSubscription.objects.filter(user=user).prefetch_related("reminders").first()
        applications = Application.objects.filter(applicant=user).select_related("program").prefetch_related(
            "history", "documents")
        finder = FinderProfile.objects.filter(user=user).first()
        return {
            "finder_answers": finder.answers if finder else None,
            "timeline_reminders": None if subscription is None else {
                "due_date": subscription.due_date.isoformat() if subscription.due_date else None,
                "birth_date": subscription.birth_date.isoformat() if subscription.birth_date else None,
                "since": subscription.created_at.isoformat(),
                "sent": [{"program": r.program_id, "edge": r.edge, "window_date": r.window_date.isoformat(),
                          "sent_at": r.sent_at.isoformat()} for r in subscription.reminders.all()],
            },
            "applications": [
                {
                    "reference": a.reference, "program": a.program.title_ko, "status": a.status,
                    "answers": a.answers, "contact_phone": a.contact_phone,
                    "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                    "decided_at": a.decided_at.isoformat() if a.decided_at else None,
                    "decision_reason": a.decision_reason,
                    "documents": [d.original_name for d in a.documents.all()],
                    "history": [{"to": h.to_status, "at": h.at.isoformat(), "note": h.note} for h in a.history.all()],
                }
                for a in applications
            ],
        }

    def personal_data_erase(self, user) -> list[str]:
        """Drafts and undecided applications go with their files; decided ones are kept for the
        program's legal retention, without contact details or files beyond the decision."""
        from django.utils import timezone

        from .models import Application, ApplicationEvent, FinderProfile, TimelineSubscription

        FinderProfile.objects.filter(user=user).delete()
        TimelineSubscription.objects.filter(user=user).delete()
        kept = []
        for application in Application.objects.filter(applicant=user).prefetch_related("documents"):
            if application.status in Application.DECIDED or (
                application.status == Application.Status.WITHDRAWN and application.reference
            ):
                application.contact_phone = ""
                application.save(update_fields=["contact_phone", "updated_at"])
                kept.append(application.reference)
                continue
            for document in application.documents.all():
                document.file.delete(save=False)
            if application.status == Application.Status.DRAFT:
                application.delete()
                continue
            # A submitted application still under review is withdrawn and emptied; the row (reference,
            # dates) stays so the office's records are whole.
            application.documents.all().delete()
            ApplicationEvent.objects.create(application=application, from_status=application.status,
                                            to_status=Application.Status.WITHDRAWN, actor=None,
                                            note="account deleted", at=timezone.now())
            Application.objects.filter(pk=application.pk).update(
                status=Application.Status.WITHDRAWN, answers={}, contact_phone="")
            kept.append(application.reference)
        if kept:
            return [_("신청서 %(n)s건(%(refs)s)은 사업별 법정 보존 기간 동안 이름 없이 보관됩니다.")
                    % {"n": len(kept), "refs": ", ".join(kept)}]
        return []
