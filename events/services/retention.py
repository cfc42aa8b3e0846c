"""Retention (REGISTRATION_RETENTION_DAYS): registrations, with their answers and feedback, go once
their event is long over; programs noted at a fair booth go as long after they were noted."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gwangmyeong_portal.batches import id_batches

from ..models import CourseRegistration, ProgramInterest, Registration

RETENTION_BATCH = 1000


def registration_purge_expired(*, now: datetime | None = None, batch_size: int = RETENTION_BATCH) -> int:
    """Delete registrations (whatever their status) of events that ended more than
    REGISTRATION_RETENTION_DAYS ago, with their feedback; returns how many registrations.

    Deleted, not anonymised: a registration is the person's link to the event (the table allows one
    active registration per person and event, so the rows cannot be moved to one anonymous account).
    Batches of ids in ascending order, each its own transaction: memory stays flat and a run stopped
    half-way keeps what it did; running again finds nothing more to do.
    """
    now = now or timezone.now()
    expired = Registration.objects.filter(event__ends_at__lt=now - timedelta(days=settings.REGISTRATION_RETENTION_DAYS))
    total = 0
    for ids in id_batches(expired, batch_size):
        with transaction.atomic():
            _deleted, by_model = Registration.objects.filter(pk__in=ids).delete()  # feedback goes with them
        total += by_model.get(Registration._meta.label, 0)
    # A course registration goes with the last of its sessions' registrations.
    cutoff = timezone.localdate(now - timedelta(days=settings.REGISTRATION_RETENTION_DAYS))
    CourseRegistration.objects.filter(series__last_date__lt=cutoff, registrations__isnull=True).delete()
    return total


def program_interest_purge_expired(*, now: datetime | None = None, batch_size: int = RETENTION_BATCH) -> int:
    """Delete programs noted at a fair more than REGISTRATION_RETENTION_DAYS ago; returns how many.
    In batches of ids, each its own transaction: a delete signal (the person's my-page cache) runs
    per row, so one unbounded DELETE would load every expired row at once."""
    now = now or timezone.now()
    expired = ProgramInterest.objects.filter(created_at__lt=now - timedelta(days=settings.REGISTRATION_RETENTION_DAYS))
    total = 0
    for ids in id_batches(expired, batch_size):
        with transaction.atomic():
            total += expired.filter(pk__in=ids).delete()[0]
    return total
