"""Beat jobs that write to registrants before and after an event (reminders, the feedback request),
and the feedback a registrant leaves."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify

from .. import notification_kinds as kinds
from ..models import Event, Feedback, Registration
from ._shared import Status, _context, _title_context

DAY_BEFORE = timedelta(hours=24)
TWO_HOURS = timedelta(hours=2)
FEEDBACK_WITHIN = timedelta(days=3)


# --- Reminders and feedback --------------------------------------------------------------------

def _remind(registrations, *, field: str, label: str, now: datetime) -> int:
    sent = 0
    for registration in registrations.select_related("event", "user"):
        with transaction.atomic():
            # Conditional UPDATE claims the reminder: a second (or concurrent) run finds it taken.
            claimed = Registration.objects.filter(pk=registration.pk, **{f"{field}__isnull": True}).update(
                **{field: now})
            if not claimed:
                continue
            event = registration.event
            notify(recipient=registration.user, kind=kinds.REMINDER.key,
                   context=_context(event, registration.user, place=event.venue or "-"),
                   idempotency_key=f"events.reminder:{registration.pk}:{label}:{event.sequence}",
                   link=event.get_absolute_url())
            sent += 1
    return sent


def reminders_send(*, now: datetime | None = None) -> int:
    """Beat job: remind confirmed registrants the day before and two hours before the start.

    Each reminder is claimed with a conditional UPDATE and sent with an idempotency key, so a
    task that runs twice (or two workers at once) sends it once."""
    now = now or timezone.now()
    base = Registration.objects.filter(status=Status.CONFIRMED, event__status=Event.Status.SCHEDULED)
    sent = _remind(
        base.filter(event__starts_at__gt=now + TWO_HOURS, event__starts_at__lte=now + DAY_BEFORE,
                     reminded_day_before_at__isnull=True),
        field="reminded_day_before_at", label="day_before", now=now,
    )
    sent += _remind(
        base.filter(event__starts_at__gt=now, event__starts_at__lte=now + TWO_HOURS,
                     reminded_two_hours_at__isnull=True),
        field="reminded_two_hours_at", label="two_hours", now=now,
    )
    return sent


def feedback_requests_send(*, now: datetime | None = None) -> int:
    """Beat job: ask attendees of events that ended in the last three days for a rating.

    Attendees are the checked-in; for an event where nobody was checked in, the confirmed."""
    now = now or timezone.now()
    checked_in = Registration.objects.filter(event=OuterRef("event"), status=Status.ATTENDED)
    candidates = Registration.objects.annotate(has_checkins=Exists(checked_in)).filter(
        event__status=Event.Status.SCHEDULED, event__ends_at__lte=now, event__ends_at__gt=now - FEEDBACK_WITHIN,
        feedback_requested_at__isnull=True,
    ).filter(Q(status=Status.ATTENDED) | Q(status=Status.CONFIRMED, has_checkins=False))
    sent = 0
    for registration in candidates.select_related("event", "user"):
        with transaction.atomic():
            claimed = Registration.objects.filter(pk=registration.pk, feedback_requested_at__isnull=True).update(
                feedback_requested_at=now)
            if not claimed:
                continue
            notify(recipient=registration.user, kind=kinds.FEEDBACK_REQUEST.key,
                   context=_title_context(registration.event, registration.user),
                   idempotency_key=f"events.feedback:{registration.pk}",
                   link=reverse("events:feedback", args=[registration.pk]))
            sent += 1
    return sent


def feedback_submit(*, registration: Registration, rating: int, comment: str = "",
                    now: datetime | None = None) -> Feedback:
    """Record (or replace) the registrant's rating of 1–5 and comment after the event has started."""
    now = now or timezone.now()
    if registration.status not in (Status.ATTENDED, Status.CONFIRMED):
        raise ValidationError(_("참석한 행사에만 의견을 남길 수 있습니다."))
    if now < registration.event.starts_at:
        raise ValidationError(_("행사가 시작된 뒤에 의견을 남길 수 있습니다."))
    if rating not in range(1, 6):
        raise ValidationError(_("만족도는 1점부터 5점까지 고를 수 있습니다."))
    feedback, _created = Feedback.objects.update_or_create(
        registration=registration, defaults={"rating": rating, "comment": comment.strip()[:2000]},
    )
    return feedback
