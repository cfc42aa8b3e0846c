"""Beat jobs that write to registrants before and after an event (reminders, the feedback request),
and the feedback a registrant leaves."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.quiet_hours import quiet_start_before, quiet_until
from notifications.services import notify

from .. import notification_kinds as kinds
from ..models import Event, Feedback, Registration
from ._shared import Status, message_context, title_context

DAY_BEFORE = timedelta(hours=24)
TWO_HOURS = timedelta(hours=2)
FEEDBACK_WITHIN = timedelta(days=3)
# A two-hour reminder that quiet hours would hold past the start goes this long before they begin
# (the job runs every ten minutes, so it is caught in time).
BEFORE_QUIET = timedelta(minutes=30)
# The longest a two-hour reminder can be brought forward: the whole quiet period (21:00–08:00).
LONGEST_QUIET = timedelta(hours=24)


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
            # A text held by quiet hours until after the start is dropped (the delivery log says so).
            notify(recipient=registration.user, kind=kinds.REMINDER.key,
                   context=message_context(event, registration.user, place=event.venue or "-"),
                   idempotency_key=f"events.reminder:{registration.pk}:{label}:{event.sequence}",
                   link=event.get_absolute_url(), sms_useless_after=event.starts_at)
            sent += 1
    return sent


def two_hour_reminder_due(starts_at: datetime) -> datetime:
    """When the two-hour reminder of an event starting at ``starts_at`` goes: two hours before,
    unless that falls in SMS quiet hours that last past the start (an evening event: its text would
    be held until 08:00, after it). Then it goes ``BEFORE_QUIET`` before those quiet hours begin."""
    due = starts_at - TWO_HOURS
    quiet_start = quiet_start_before(due)
    if quiet_start is not None and quiet_until(due) >= starts_at:
        return quiet_start - BEFORE_QUIET
    return due


def reminders_send(*, now: datetime | None = None) -> int:
    """Beat job: remind confirmed registrants the day before and two hours before the start (the
    latter earlier for an evening event, see ``two_hour_reminder_due``).

    Each reminder is claimed with a conditional UPDATE and sent with an idempotency key, so a
    task that runs twice (or two workers at once) sends it once."""
    now = now or timezone.now()
    base = Registration.objects.filter(status=Status.CONFIRMED, event__status=Event.Status.SCHEDULED)
    candidates = base.filter(event__starts_at__gt=now, event__starts_at__lte=now + TWO_HOURS + LONGEST_QUIET,
                             reminded_two_hours_at__isnull=True).values_list("pk", "event__starts_at")
    due = [pk for pk, starts_at in candidates if two_hour_reminder_due(starts_at) <= now]
    sent = _remind(base.filter(pk__in=due), field="reminded_two_hours_at", label="two_hours", now=now)
    # The day-before reminder is not sent on top of a two-hour one that has just gone.
    sent += _remind(
        base.filter(event__starts_at__gt=now + TWO_HOURS, event__starts_at__lte=now + DAY_BEFORE,
                     reminded_day_before_at__isnull=True, reminded_two_hours_at__isnull=True),
        field="reminded_day_before_at", label="day_before", now=now,
    )
    return sent


def feedback_requests_send(*, now: datetime | None = None) -> int:
    """Beat job: ask attendees of events that ended in the last three days for a rating.

    Attendees are the checked-in: only they may leave feedback (``feedback_submit``)."""
    now = now or timezone.now()
    candidates = Registration.objects.filter(
        event__status=Event.Status.SCHEDULED, event__ends_at__lte=now, event__ends_at__gt=now - FEEDBACK_WITHIN,
        feedback_requested_at__isnull=True, status=Status.ATTENDED,
    )
    sent = 0
    for registration in candidates.select_related("event", "user"):
        with transaction.atomic():
            claimed = Registration.objects.filter(pk=registration.pk, feedback_requested_at__isnull=True).update(
                feedback_requested_at=now)
            if not claimed:
                continue
            notify(recipient=registration.user, kind=kinds.FEEDBACK_REQUEST.key,
                   context=title_context(registration.event, registration.user),
                   idempotency_key=f"events.feedback:{registration.pk}",
                   link=reverse("events:feedback", args=[registration.pk]))
            sent += 1
    return sent


def feedback_submit(*, registration: Registration, rating: int, comment: str = "",
                    now: datetime | None = None) -> Feedback:
    """Record (or replace) the registrant's rating of 1–5 and comment after the event has started.
    Only a checked-in attendee may: someone who registered but did not come is refused."""
    now = now or timezone.now()
    if registration.status != Status.ATTENDED:
        raise ValidationError(_("입장이 확인된 참석자만 의견을 남길 수 있습니다."))
    if now < registration.event.starts_at:
        raise ValidationError(_("행사가 시작된 뒤에 의견을 남길 수 있습니다."))
    if rating not in range(1, 6):
        raise ValidationError(_("만족도는 1점부터 5점까지 고를 수 있습니다."))
    feedback, _created = Feedback.objects.update_or_create(
        registration=registration, defaults={"rating": rating, "comment": comment.strip()[:2000]},
    )
    return feedback
