"""Retention of what people leave behind before (or after) having a profile: consents and
employment-verification requests (MATCHMAKING_UNUSED_CONSENT_DAYS). Profiles themselves have their
own retention run, with a notice first (``profiles.retention_run``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from gwangmyeong_portal.batches import id_batches

from ..models import ConsentRecord, Profile, Verification

RETENTION_BATCH = 500


def consent_purge_unused(*, now: datetime | None = None, batch_size: int = RETENTION_BATCH) -> int:
    """Delete the consents and verification requests of people without a profile whose last step in
    the registry (a consent given, a request made or decided) is more than MATCHMAKING_UNUSED_CONSENT_DAYS
    old; returns how many rows went.

    A person who is still on their way (a recent consent, a request waiting for or recently given an
    answer) keeps all of their rows, and anyone with a profile keeps theirs (leaving deletes them).
    No notice is sent: nothing the person uses goes, and they can consent and ask again at any time.
    People are taken in ascending batches, each its own transaction; the deletes repeat the
    conditions, so a consent given while the job runs is never caught. Running again is harmless.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.MATCHMAKING_UNUSED_CONSENT_DAYS)
    # A request still waiting for the agency's answer is a step in progress, however old.
    recent_verification = (Q(requested_at__gte=cutoff) | Q(decided_at__gte=cutoff)
                           | Q(status=Verification.Status.REQUESTED))
    people = (get_user_model().objects
              .filter(Exists(ConsentRecord.objects.filter(user=OuterRef("pk")))
                      | Exists(Verification.objects.filter(user=OuterRef("pk"))))
              .exclude(Exists(Profile.objects.filter(user=OuterRef("pk"))))
              .exclude(Exists(ConsentRecord.objects.filter(user=OuterRef("pk"), given_at__gte=cutoff)))
              .exclude(Exists(Verification.objects.filter(recent_verification, user=OuterRef("pk")))))
    no_profile = ~Exists(Profile.objects.filter(user=OuterRef("user")))
    total = 0
    for ids in id_batches(people, batch_size):
        with transaction.atomic():
            total += ConsentRecord.objects.filter(no_profile, user_id__in=ids, given_at__lt=cutoff).delete()[0]
            total += (Verification.objects.filter(no_profile, user_id__in=ids, requested_at__lt=cutoff)
                      .exclude(decided_at__gte=cutoff).exclude(status=Verification.Status.REQUESTED).delete()[0])
    return total
