"""Events on the calendar: creating one, cancelling one, and writing out a weekly series."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify

from .. import notification_kinds as kinds
from ..models import Event, EventSeries, Registration, stages_to_text
from ._shared import _context, _lock_event

# --- Events ------------------------------------------------------------------------------------

def event_create(
    *,
    title_ko: str,
    starts_at: datetime,
    ends_at: datetime,
    type: str = Event.Type.OTHER,  # noqa: A002 - the field is called "type"
    title_en: str = "",
    description_ko: str = "",
    description_en: str = "",
    life_stages: Iterable[str] = (),
    organiser=None,
    organiser_office: str = "",
    venue: str = "",
    address: str = "",
    audience: str = "",
    registration_required: bool = False,
    registration_opens_at: datetime | None = None,
    registration_closes_at: datetime | None = None,
    capacity: int | None = None,
    party_size_max: int = 1,
    waitlist_limit: int = 0,
    offer_hold_hours: int = 24,
    questions: list[dict] | None = None,
    parent: Event | None = None,
    series: EventSeries | None = None,
    is_public: bool = True,
    created_by=None,
) -> Event:
    """Create one event on the calendar and return it.

    Other apps call this too: partners creates a ``type="lecture"`` event for a scheduled lecturer
    dispatch (``organiser`` = the host ``partners.Agency``), matchmaking a ``type="meetup"`` event
    for a meetup session. ``organiser=None`` with ``organiser_office`` (e.g. "여성가족과") means a
    city office organises it. ``life_stages`` are codes of ``events.models.LifeStage``.
    ``capacity=None`` means no limit. Raises ``ValidationError`` for inconsistent values
    (end before start, a closing date before the opening date, unknown type).
    """
    event = Event(
        title_ko=title_ko, title_en=title_en, description_ko=description_ko, description_en=description_en,
        type=type, life_stages=stages_to_text(life_stages), organiser=organiser, organiser_office=organiser_office,
        venue=venue, address=address, audience=audience, registration_required=registration_required,
        registration_opens_at=registration_opens_at, registration_closes_at=registration_closes_at,
        capacity=capacity, party_size_max=party_size_max, waitlist_limit=waitlist_limit,
        offer_hold_hours=offer_hold_hours, questions=questions or [], parent=parent, series=series,
        starts_at=starts_at, ends_at=ends_at, is_public=is_public, created_by=created_by,
    )
    event.full_clean(exclude=["created_by"], validate_constraints=False)
    if ends_at < starts_at:
        raise ValidationError(_("종료 시각은 시작 시각보다 빠를 수 없습니다."))
    event.save()
    return event


def event_cancel(*, event: Event, reason: str = "") -> Event:
    """Cancel an event: calendars get ``STATUS:CANCELLED`` (the ICS sequence goes up) and everyone
    holding or waiting for a place is told. Registrations are kept as they were, for the record."""
    with transaction.atomic():
        event = _lock_event(event)
        if event.status == Event.Status.CANCELLED:
            return event
        event.status = Event.Status.CANCELLED
        event.sequence += 1
        event.save(update_fields=["status", "sequence", "updated_at"])
        for registration in event.registrations.filter(status__in=Registration.ACTIVE).select_related("user"):
            notify(recipient=registration.user, kind=kinds.EVENT_CANCELLED.key,
                   context=_context(event, registration.user, reason=reason or "-"),
                   idempotency_key=f"events.cancelled:{registration.pk}:{event.sequence}",
                   link=event.get_absolute_url())
    return event


def series_generate_occurrences(*, series: EventSeries) -> list[Event]:
    """Create the series' weekly events from ``first_date`` to ``last_date`` (Seoul time).

    Idempotent: an occurrence that exists (same series and start) is kept as it is."""
    tz = timezone.get_current_timezone()
    day: date = series.first_date
    while day.weekday() != series.weekday:
        day += timedelta(days=1)
    events = []
    fields = {f.name: getattr(series, f.name) for f in EventSeries._meta.get_fields()
              if f.name in {g.name for g in Event._meta.get_fields()} and f.concrete
              and f.name not in ("id", "created_at", "is_public")}
    while day <= series.last_date:
        starts_at = timezone.make_aware(datetime.combine(day, series.start_time), tz)
        ends_at = starts_at + timedelta(minutes=series.duration_minutes)
        event, _created = Event.objects.get_or_create(
            series=series, starts_at=starts_at,
            defaults={
                **fields, "ends_at": ends_at, "is_public": series.is_public,
                "registration_opens_at": starts_at - timedelta(days=series.registration_opens_days_before),
                "registration_closes_at": starts_at - timedelta(hours=series.registration_closes_hours_before),
            },
        )
        events.append(event)
        day += timedelta(days=7)
    return events
