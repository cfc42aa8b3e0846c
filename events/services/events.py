"""Events on the calendar: creating, changing, postponing and cancelling one, and writing out a weekly series."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.rendering import language_for
from notifications.services import notify

from .. import notification_kinds as kinds
from ..models import Event, EventSeries, Registration, stages_to_text
from ._shared import lock_event, message_context
from .registrations import freed_places_offer, offer_deadline_bound, offer_lapse

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


OFFER_ENDED = gettext_lazy("드렸던 빈자리 제안도 함께 끝났습니다.")
OFFER_PAUSED = gettext_lazy("드렸던 빈자리 제안은 연기로 멈추었고, 대기 순서는 그대로 유지됩니다.")


def _note(recipient, text) -> str:
    with translation.override(language_for(recipient)):
        return str(text)


def event_cancel(*, event: Event, reason: str = "", now: datetime | None = None) -> Event:
    """Cancel an event: calendars get ``STATUS:CANCELLED`` (the ICS sequence goes up) and everyone
    holding or waiting for a place is told, with ``reason`` (the admin asks for one; other apps
    may pass none). Every open offer ends (its holder is told in the same notice); the other
    registrations are kept as they were, for the record. Cancelling twice is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        event = lock_event(event)
        if event.status == Event.Status.CANCELLED:
            return event
        event.status = Event.Status.CANCELLED
        event.sequence += 1
        event.save(update_fields=["status", "sequence", "updated_at"])
        registrations = list(event.registrations.filter(status__in=Registration.ACTIVE).select_related("user"))
        for registration in registrations:
            offer_ended = registration.status == Registration.Status.OFFERED
            if offer_ended:
                registration.status = Registration.Status.CANCELLED
                registration.cancelled_at = now
                registration.offer_expires_at = None
                registration.save(update_fields=["status", "cancelled_at", "offer_expires_at", "updated_at"])
            notify(recipient=registration.user, kind=kinds.EVENT_CANCELLED.key,
                   context=message_context(event, registration.user, reason=reason.strip(),
                                    offer_note=_note(registration.user, OFFER_ENDED) if offer_ended else ""),
                   idempotency_key=f"events.cancelled:{registration.pk}:{event.sequence}",
                   link=event.get_absolute_url(), sms_useless_after=event.starts_at)
    return event


def event_postpone(*, event: Event, reason: str = "", changed_by=None, now: datetime | None = None) -> Event:
    """Postpone an event until a new date is set: registrants are told (with ``reason``), open offers
    go back to the waitlist in their place, and registering is refused meanwhile."""
    return event_update(event=event, values={"status": Event.Status.POSTPONED}, reason=reason,
                        changed_by=changed_by, now=now)


# Changes registrants are told of (with the old and new values), and those calendars must pick up.
NOTICE_FIELDS = ("starts_at", "ends_at", "venue", "address", "status")
CALENDAR_FIELDS = frozenset({"starts_at", "ends_at", "venue", "address", "status", "title_ko", "title_en"})
# Who is told of a change: everyone still holding or waiting for a place.
TOLD_OF_CHANGES = (Registration.Status.CONFIRMED, Registration.Status.OFFERED, Registration.Status.WAITLISTED)


def _span(starts_at: datetime, ends_at: datetime) -> str:
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"


def _place(venue: str, address: str) -> str:
    return ", ".join(part for part in (venue, address) if part) or "-"


def _describe_changes(old: dict, event: Event, recipient) -> str:
    """The changed values, old → new, one line each, in ``recipient``'s language."""
    lines = []
    with translation.override(language_for(recipient)):
        if (old["starts_at"], old["ends_at"]) != (event.starts_at, event.ends_at):
            lines.append(_("일시: %(old)s → %(new)s") % {"old": _span(old["starts_at"], old["ends_at"]),
                                                         "new": _span(event.starts_at, event.ends_at)})
        if (old["venue"], old["address"]) != (event.venue, event.address):
            lines.append(_("장소: %(old)s → %(new)s") % {"old": _place(old["venue"], old["address"]),
                                                         "new": _place(event.venue, event.address)})
        if old["status"] != event.status:
            lines.append(_("상태: %(old)s → %(new)s") % {"old": str(Event.Status(old["status"]).label),
                                                         "new": str(Event.Status(event.status).label)})
    return "\n".join(lines)


def event_update(*, event: Event, values: dict[str, Any], reason: str = "", changed_by=None,
                 now: datetime | None = None) -> Event:
    """Change fields of an event (the admin's change form calls this) and carry what follows:

    - a new time, place or status: the ICS sequence goes up and every confirmed, offered and
      waitlisted registrant is told once, with the old and new values (and ``reason``); reminders
      already sent are sent again for the new time; open offers never outlive the new start;
    - ``status`` cancelled goes through ``event_cancel``; postponed sends open offers back to the
      waitlist; back to scheduled, or more places (capacity up), offers the free places at once in
      waitlist order, as after a cancellation.

    Takes the event row lock. Raises ``ValidationError`` (nothing changes) for an end before the start."""

    now = now or timezone.now()
    cancelling = False
    with transaction.atomic():
        event = lock_event(event)
        old = {name: getattr(event, name) for name in NOTICE_FIELDS}
        changed = {name: value for name, value in values.items() if getattr(event, name) != value}
        if changed.get("status") == Event.Status.CANCELLED:
            cancelling = True
            del changed["status"]
        if not changed and not cancelling:
            return event
        for name, value in changed.items():
            setattr(event, name, value)
        if event.ends_at < event.starts_at:
            raise ValidationError(_("종료 시각은 시작 시각보다 빠를 수 없습니다."))
        if CALENDAR_FIELDS & set(changed):
            event.sequence += 1
        event.save()
        registrations = event.registrations
        if "starts_at" in changed:
            # The reminders said the old time: they go again for the new one.
            registrations.filter(status__in=TOLD_OF_CHANGES).update(
                reminded_day_before_at=None, reminded_two_hours_at=None)
        returned_offers: set[int] = set()
        if event.status == Event.Status.POSTPONED and old["status"] != Event.Status.POSTPONED:
            offers = registrations.filter(status=Registration.Status.OFFERED)
            returned_offers = set(offers.values_list("pk", flat=True))
            offers.update(status=Registration.Status.WAITLISTED, offer_expires_at=None, updated_at=now)
        elif {"starts_at", "registration_closes_at"} & set(changed):
            bound = offer_deadline_bound(event)
            offers = registrations.filter(status=Registration.Status.OFFERED)
            if now >= bound:
                # The new time leaves no time to answer: the offers lapse now, not at the next beat run.
                for registration in offers.select_related("user"):
                    offer_lapse(event, registration, now)
            else:
                offers.filter(offer_expires_at__gt=bound).update(offer_expires_at=bound, updated_at=now)
        if set(NOTICE_FIELDS) & set(changed):
            for registration in registrations.filter(status__in=TOLD_OF_CHANGES).select_related("user"):
                notify(recipient=registration.user, kind=kinds.EVENT_CHANGED.key,
                       context=message_context(event, registration.user, changes=_describe_changes(old, event,
                                                                                            registration.user),
                                        reason=reason.strip(),
                                        offer_note=_note(registration.user, OFFER_PAUSED)
                                        if registration.pk in returned_offers else ""),
                       idempotency_key=f"events.changed:{registration.pk}:{event.sequence}",
                       link=event.get_absolute_url(),
                       sms_useless_after=event.starts_at if event.status == Event.Status.SCHEDULED else None)
        # Back on the calendar, or more places: whatever is free goes to the waitlist at once.
        freed_places_offer(event, now)
    if cancelling:
        event = event_cancel(event=event, reason=reason, now=now)
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
