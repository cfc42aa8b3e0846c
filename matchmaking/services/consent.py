"""Consent to the registry's processing of personal data: record it, and find the current one."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from ..models import ConsentRecord

# Bump when the consent wording in templates/matchmaking/consent.html changes: people who agreed to an
# older wording are asked again.
CONSENT_VERSION = "2026-12"  # names what verifiers, clerks and other participants see


def consent_record(*, user, optional_consent: bool, ip_address: str | None = None,
                   now: datetime | None = None) -> ConsentRecord:
    """Store that ``user`` agreed to the current consent text (required items), and whether they
    also agreed to the optional items."""
    return ConsentRecord.objects.create(
        user=user, text_version=CONSENT_VERSION, given_at=now or timezone.now(),
        optional_consent=optional_consent, ip_address=ip_address,
    )


def consent_current(*, user) -> ConsentRecord | None:
    """The user's latest consent to the current text version, or None."""
    return ConsentRecord.objects.filter(user=user, text_version=CONSENT_VERSION).order_by("-given_at", "-pk").first()
