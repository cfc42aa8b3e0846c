"""The personal timeline's writes and files: its calendar (.ics), "알림 받기" and the reminder job.

Kept apart from ``programs.services`` (applications): nothing here touches an application.

Reminders: ``OPEN_NOTICE_DAYS`` before a window opens and ``CLOSE_NOTICE_DAYS`` before it closes
(not before it has opened), in-app and by e-mail as the citizen's preferences say. The beat job
``timeline_reminders_send`` writes a ``TimelineReminder`` row per reminder under a unique
constraint before notifying with an idempotency key, so a run repeated, retried or run twice at
once sends each reminder once; a subscription whose last window has closed is deleted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from notifications.rendering import language_for
from notifications.services import notify

from . import notification_kinds as kinds
from . import selectors
from .models import TimelineReminder, TimelineSubscription

OPEN_NOTICE_DAYS = 3
CLOSE_NOTICE_DAYS = 7
UID_DOMAIN = "timeline.gwangmyeong-portal"
# Calendar entries sit at 09:00-10:00 Seoul time on the day (an office's opening hour).
ENTRY_START, ENTRY_END = time(9, 0), time(10, 0)


# --- Calendar file -------------------------------------------------------------------------------

def _alarm(days_before: int, text: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", timedelta(days=-days_before))
    return alarm


def _entry(item: selectors.TimelineItem, *, edge: str, day: date, site_url: str) -> Event:
    zone = timezone.get_default_timezone()
    program = item.program
    if edge == TimelineReminder.Edge.OPENS:
        summary = _("신청 시작: %(title)s") % {"title": program.title}
        alarms = [(OPEN_NOTICE_DAYS, summary)]
    else:
        summary = _("신청 마감: %(title)s") % {"title": program.title}
        alarms = [(CLOSE_NOTICE_DAYS, summary), (1, summary)]
    event = Event()
    event.add("uid", f"timeline-{program.slug}-{edge}-{day:%Y%m%d}@{UID_DOMAIN}")
    event.add("dtstamp", datetime.now(tz=UTC))
    event.add("summary", summary)
    event.add("dtstart", datetime.combine(day, ENTRY_START, tzinfo=zone))
    event.add("dtend", datetime.combine(day, ENTRY_END, tzinfo=zone))
    link = site_url.rstrip("/") + program.get_absolute_url()
    event.add("description", f"{program.summary}\n{link}")
    event.add("url", link)
    for days_before, text in alarms:
        # An alarm that would ring before today is of no use: only those still ahead.
        if day - timedelta(days=days_before) >= item.today:
            event.add_component(_alarm(days_before, text))
    return event


def timeline_calendar_bytes(items: list[selectors.TimelineItem], *, site_url: str) -> bytes:
    """An iCalendar file of the windows still ahead: a start entry for those not yet open, a deadline
    entry for each, with reminders (VALARM) before them; the Asia/Seoul VTIMEZONE is included
    (RFC 5545 requires one for every TZID). Windows that have passed are left out."""
    calendar = Calendar()
    calendar.add("prodid", "-//Gwangmyeong City//child- and mom-friendly city//KO")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("나의 신청 일정"))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for item in items:
        if item.passed:
            continue
        if item.status == item.UPCOMING and item.starts_on < item.ends_on:
            calendar.add_component(_entry(item, edge=TimelineReminder.Edge.OPENS, day=item.starts_on,
                                          site_url=site_url))
        calendar.add_component(_entry(item, edge=TimelineReminder.Edge.CLOSES, day=item.ends_on, site_url=site_url))
    calendar.add_missing_timezones()
    return calendar.to_ical()


# --- "알림 받기" ------------------------------------------------------------------------------------

def timeline_subscribe(*, user, due_date: date | None, birth_date: date | None) -> TimelineSubscription:
    """Turn reminders on for these dates (replacing earlier ones: one timeline per person)."""
    if due_date is None and birth_date is None:
        raise ValueError("a due date or a birth date is needed")
    subscription, _created = TimelineSubscription.objects.update_or_create(
        user=user, defaults={"due_date": due_date, "birth_date": birth_date})
    return subscription


def timeline_unsubscribe(*, user) -> bool:
    """Turn reminders off and forget the dates; True if there was something to turn off."""
    deleted, _per_model = TimelineSubscription.objects.filter(user=user).delete()
    return bool(deleted)


# --- The beat job -----------------------------------------------------------------------------------

def _due_notices(item: selectors.TimelineItem):
    """(edge, day) of the reminders ``item`` calls for on its ``today``."""
    today = item.today
    if item.starts_on - timedelta(days=OPEN_NOTICE_DAYS) <= today <= item.starts_on and item.starts_on < item.ends_on:
        yield TimelineReminder.Edge.OPENS, item.starts_on
    if max(item.ends_on - timedelta(days=CLOSE_NOTICE_DAYS), item.starts_on) <= today <= item.ends_on:
        yield TimelineReminder.Edge.CLOSES, item.ends_on


def _send(subscription: TimelineSubscription, item: selectors.TimelineItem, edge: str, day: date) -> bool:
    with transaction.atomic():
        _reminder, created = TimelineReminder.objects.get_or_create(
            subscription=subscription, program=item.program, edge=edge, window_date=day)
        if not created:
            return False  # another run got there first
        user = subscription.user
        with translation.override(language_for(user)):
            context = {"title": item.program.title, "what": str(TimelineReminder.Edge(edge).label),
                       "date": day.isoformat(), "days": str((day - item.today).days)}
        notify(recipient=user, kind=kinds.TIMELINE_REMINDER.key, context=context,
               idempotency_key=f"programs.timeline:{subscription.pk}:{item.program.pk}:{edge}:{day:%Y%m%d}",
               link=item.program.get_absolute_url())
    return True


def timeline_reminders_send(*, today: date | None = None) -> dict[str, int]:
    """Beat job: send the reminders that are due today; delete subscriptions with nothing ahead.

    Idempotent: each reminder is claimed by its unique ``TimelineReminder`` row in the same
    transaction as its message, which carries an idempotency key too."""
    today = today or timezone.localdate()
    programs = selectors.timeline_programs()
    sent, finished = 0, []
    subscriptions = TimelineSubscription.objects.select_related("user").prefetch_related("reminders")
    for subscription in subscriptions.iterator(chunk_size=500):
        items = selectors.timeline_items(programs, due_date=subscription.due_date,
                                         birth_date=subscription.birth_date, today=today)
        if items and all(item.passed for item in items):
            finished.append(subscription.pk)  # nothing left to remind of: the dates go
            continue
        done = {(r.program_id, r.edge, r.window_date) for r in subscription.reminders.all()}
        for item in items:
            for edge, day in _due_notices(item):
                if (item.program.pk, edge, day) not in done and _send(subscription, item, edge, day):
                    sent += 1
    deleted = TimelineSubscription.objects.filter(pk__in=finished).delete()[1].get(
        TimelineSubscription._meta.label, 0) if finished else 0
    return {"sent": sent, "subscriptions_finished": deleted}
