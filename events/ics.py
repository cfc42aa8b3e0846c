"""iCalendar files for one event and for the subscribable feed, built with ``icalendar``.

Titles and descriptions are in the active language. Times carry the Asia/Seoul zone (a VTIMEZONE
is included); a cancelled event is sent with ``STATUS:CANCELLED`` and a higher ``SEQUENCE`` so
subscribed calendars update it. The sessions of a weekly series are sent as one recurring event
(``RRULE``), with ``EXDATE`` for weeks without a session (skipped, cancelled) and an override
(``RECURRENCE-ID``) for a session whose time or place differs from the series'.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent

from .models import Event, EventSeries

ICS_STATUS = {Event.Status.SCHEDULED: "CONFIRMED", Event.Status.CANCELLED: "CANCELLED",
              Event.Status.POSTPONED: "TENTATIVE"}
UID_DOMAIN = "events.gwangmyeong-portal"


def _vevent(event: Event, site_url: str) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", f"event-{event.pk}@{UID_DOMAIN}")
    vevent.add("dtstamp", event.updated_at.astimezone(UTC) if event.updated_at else timezone.now())
    vevent.add("dtstart", timezone.localtime(event.starts_at))
    vevent.add("dtend", timezone.localtime(event.ends_at))
    vevent.add("sequence", event.sequence)
    vevent.add("status", ICS_STATUS.get(event.status, "CONFIRMED"))
    # Titles in the active language: a single event's file follows the reader's language; the
    # shared feed is built under one language for everyone (Korean unless the caller overrides).
    summary = event.title
    if event.status == Event.Status.CANCELLED:
        summary = _("[취소] %(title)s") % {"title": summary}
    vevent.add("summary", summary)
    if event.description:
        vevent.add("description", event.description)
    location = ", ".join(part for part in (event.venue, event.address) if part)
    if location:
        vevent.add("location", location)
    vevent.add("url", site_url.rstrip("/") + event.get_absolute_url())
    return vevent


def _series_slots(series: EventSeries) -> list[datetime]:
    """Every weekly start the series defines (Seoul time), as ``series_generate_occurrences`` makes them."""
    tz = timezone.get_current_timezone()
    day: date = series.first_date
    while day.weekday() != series.weekday:
        day += timedelta(days=1)
    slots = []
    while day <= series.last_date:
        slots.append(timezone.make_aware(datetime.combine(day, series.start_time), tz))
        day += timedelta(days=7)
    return slots


def _series_vevents(series: EventSeries, sessions: list[Event], site_url: str) -> list[VEvent]:
    """One recurring VEVENT for ``sessions`` of ``series`` (the master), and one override per session
    that differs from it. Weeks between the first and last session without a session, or whose
    session is cancelled, become EXDATEs."""
    duration = timedelta(minutes=series.duration_minutes)
    slots = _series_slots(series)
    by_slot: dict[datetime, Event] = {}
    loose = []
    for session in sessions:
        start = timezone.localtime(session.starts_at)
        # A moved session belongs to the week's slot it was moved from: the nearest within 3 days.
        slot = min(slots, key=lambda s: abs(s - start), default=None)
        if slot is None or abs(slot - start) > timedelta(days=3) or slot in by_slot:
            loose.append(session)
        else:
            by_slot[slot] = session
    if not by_slot:
        return [_vevent(session, site_url) for session in sessions]
    first, last = min(by_slot), max(by_slot)
    span = [slot for slot in slots if first <= slot <= last]

    master = VEvent()
    uid = f"series-{series.pk}@{UID_DOMAIN}"
    master.add("uid", uid)
    stamps = [s.updated_at for s in sessions if s.updated_at]
    master.add("dtstamp", max(stamps).astimezone(UTC) if stamps else timezone.now())
    master.add("dtstart", first)
    master.add("dtend", first + duration)
    master.add("rrule", {"freq": "weekly", "until": last.astimezone(UTC)})
    skipped = [slot for slot in span if slot not in by_slot or by_slot[slot].status == Event.Status.CANCELLED]
    for slot in skipped:
        master.add("exdate", slot)
    # Every change to a session (and a week skipped by cancelling one) raises some session's sequence.
    master.add("sequence", sum(s.sequence for s in sessions))
    master.add("status", "CONFIRMED")
    master.add("summary", series.title)
    if series.description:
        master.add("description", series.description)
    location = ", ".join(part for part in (series.venue, series.address) if part)
    if location:
        master.add("location", location)
    master.add("url", site_url.rstrip("/") + series.get_absolute_url())
    vevents = [master]
    for slot, session in sorted(by_slot.items()):
        if session.status == Event.Status.CANCELLED:
            continue
        differs = (session.starts_at != slot or session.ends_at != slot + duration
                   or (session.venue, session.address) != (series.venue, series.address)
                   or session.status != Event.Status.SCHEDULED or session.title_ko != series.title_ko)
        if differs:
            override = _vevent(session, site_url)
            override["uid"] = uid
            override.add("recurrence-id", slot)
            vevents.append(override)
    vevents.extend(_vevent(session, site_url) for session in loose)
    return vevents


def calendar_bytes(events: Iterable[Event], *, name: str, series_as_one: bool = True) -> bytes:
    """A calendar of ``events``. With ``series_as_one`` the sessions of a weekly series among them
    are sent as one recurring event (a single event's own file passes False)."""
    cal = Calendar()
    cal.add("prodid", "-//Gwangmyeong City//Events//KO")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    site_url = settings.NOTIFY_SITE_URL
    by_series: dict[int, list[Event]] = {}
    for event in events:
        if series_as_one and event.series_id:
            by_series.setdefault(event.series_id, []).append(event)
        else:
            cal.add_component(_vevent(event, site_url))
    if by_series:
        for series in EventSeries.objects.filter(pk__in=by_series).order_by("pk"):
            for vevent in _series_vevents(series, by_series[series.pk], site_url):
                cal.add_component(vevent)
    cal.add_missing_timezones()
    return cal.to_ical()
