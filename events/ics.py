"""iCalendar files for one event and for the subscribable feed, built with ``icalendar``.

Titles and descriptions are in the active language. Times carry the Asia/Seoul zone (a VTIMEZONE
is included); a cancelled event is sent with ``STATUS:CANCELLED`` and a higher ``SEQUENCE`` so
subscribed calendars update it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent

from .models import Event

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


def calendar_bytes(events: Iterable[Event], *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Gwangmyeong City//Events//KO")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    site_url = settings.NOTIFY_SITE_URL
    for event in events:
        cal.add_component(_vevent(event, site_url))
    cal.add_missing_timezones()
    return cal.to_ical()
