from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    """The singles-meetup registry for staff of the eleven institutions."""

    name = "matchmaking"
    verbose_name = _("미혼남녀 만남")

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy check of the contact key

    def me_section(self, request):
        """A link block on my page, only for people who are in the registry (nobody else learns it exists
        for them)."""
        from .selectors import profile_of

        if profile_of(request.user) is None:
            return None
        return {"template": "matchmaking/_me_section.html", "context": {}}

    def personal_data_export(self, user) -> dict:
        """The person's own registry data, their own contact included. Never the contact of a
        match, and never who picked them: only the picks they made themselves."""
        from .models import ConsentRecord, Pick, Verification
        from .selectors import matches_for, profile_of

        data: dict = {
            "consents": [
                {"text_version": c.text_version, "given_at": c.given_at.isoformat(),
                 "optional_consent": c.optional_consent}
                for c in ConsentRecord.objects.filter(user=user).order_by("given_at", "pk")
            ],
            "verification_requests": [
                {"agency": v.agency.name_ko, "status": v.status, "requested_at": v.requested_at.isoformat()}
                for v in Verification.objects.filter(user=user).select_related("agency").order_by("pk")
            ],
            "profile": None,
        }
        profile = profile_of(user)
        if profile is None:
            return data
        data["profile"] = {
            "display_name": profile.display_name, "gender": profile.gender, "birth_year": profile.birth_year,
            "institution": profile.institution.name_ko, "show_institution": profile.show_institution,
            "intro": profile.intro, "interests": profile.interests, "contact": profile.reveal_contact(),
            "declared_unmarried": profile.declared_unmarried, "declared_at": profile.declared_at.isoformat(),
            "verification_method": profile.verification_method, "verified_at": profile.verified_at.isoformat(),
            "created_at": profile.created_at.isoformat(), "last_active_at": profile.last_active_at.isoformat(),
        }
        data["applications"] = [
            {"session": a.session.title, "date": a.session.starts_at.isoformat(), "status": a.status}
            for a in profile.applications.select_related("session__event").order_by("pk")
        ]
        data["picks_made"] = [
            {"session": p.session.title, "picked_display_name": p.picked.display_name}
            for p in Pick.objects.filter(picker=profile).select_related("session__event", "picked").order_by("pk")
        ]
        data["matches"] = [
            {"session": m.session_title, "other_display_name": None if m.other_left else m.other.display_name,
             "other_left": m.other_left}
            for m in matches_for(profile=profile)
        ]
        return data

    def personal_data_erase(self, user) -> list[str]:
        from .models import ConsentRecord, Verification
        from .selectors import profile_of
        from .services import profile_leave

        profile = profile_of(user)
        if profile is not None:
            profile_leave(profile=profile)
        ConsentRecord.objects.filter(user=user).delete()
        Verification.objects.filter(user=user).delete()
        return []
