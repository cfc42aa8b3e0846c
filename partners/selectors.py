"""Reads about agencies and memberships."""

from __future__ import annotations

from .models import Agency, AgencyMembership


def membership_for(user) -> AgencyMembership | None:
    """The user's agency membership, or None (anonymous users and citizens have none)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return AgencyMembership.objects.select_related("agency").get(user=user)
    except AgencyMembership.DoesNotExist:
        return None


def agency_for_email(email: str) -> Agency | None:
    """The active agency whose work-mail domain matches ``email`` exactly, or None."""
    domain = email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""
    if not domain:
        return None
    return Agency.objects.active().filter(email_domains__domain=domain).first()
