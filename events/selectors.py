"""Reads of the events app: calendar parameters, filtered lists and the month grid."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from gwangmyeong_portal.dates import FIRST_YEAR, LAST_YEAR
from partners.models import Agency

from .models import Event, LifeStage, Registration

# ASCII digits only (\d would accept "２０２７"); fullmatch so a trailing newline is refused too.
MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")
DAY_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
CITY = "city"
# Meetups of the singles registry are for the institutions' staff, not the public calendar, feed or
# home page: they are listed in the registry (matchmaking), linked from the partners pages.
OFF_CALENDAR_TYPES = (Event.Type.MEETUP,)
CALENDAR_TYPE_CHOICES = [(value, label) for value, label in Event.Type.choices if value not in OFF_CALENDAR_TYPES]


def today() -> date:
    return timezone.localdate()


def parse_month(value: str | None) -> date:
    """``2027-04`` → 2027-04-01; anything malformed or out of range → the current month."""
    match = MONTH_RE.fullmatch(value or "")
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12:
            return date(year, month, 1)
    return today().replace(day=1)


def parse_week(value: str | None) -> date:
    """Any ``YYYY-MM-DD`` → the Sunday starting its week; malformed → this week."""
    day = None
    match = DAY_RE.fullmatch(value or "")
    if match:
        try:
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            day = None
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            day = None
    day = day or today()
    return day - timedelta(days=(day.weekday() + 1) % 7)


def add_months(month: date, delta: int) -> date:
    index = month.year * 12 + month.month - 1 + delta
    return date(index // 12, index % 12 + 1, 1)


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@dataclass
class Filters:
    """Calendar filters from the query string; unknown values are ignored, never an error."""

    stage: str = ""
    type: str = ""
    organiser: str = ""  # an agency slug, or "city" for the city's own offices

    @classmethod
    def from_query(cls, query) -> Filters:
        stage = query.get("stage", "")
        type_ = query.get("type", "")
        organiser = query.get("organiser", "")
        if organiser != CITY and not (re.fullmatch(r"[-a-z0-9_]{1,60}", organiser)
                                      and Agency.objects.filter(slug=organiser).exists()):
            organiser = ""
        return cls(
            stage=stage if stage in LifeStage.values else "",
            type=type_ if type_ in Event.Type.values and type_ not in OFF_CALENDAR_TYPES else "",
            organiser=organiser,
        )

    def apply(self, queryset):
        if self.stage:
            queryset = queryset.with_stage(self.stage)
        if self.type:
            queryset = queryset.filter(type=self.type)
        if self.organiser == CITY:
            queryset = queryset.filter(Q(organiser__isnull=True) | Q(organiser__is_city=True))
        elif self.organiser:
            queryset = queryset.filter(organiser__slug=self.organiser)
        return queryset

    def query(self, **extra) -> str:
        """The filters (and ``extra``) as a query string, for links that keep them."""
        from urllib.parse import urlencode

        pairs = {"stage": self.stage, "type": self.type, "organiser": self.organiser, **extra}
        return urlencode({k: v for k, v in pairs.items() if v})

    @property
    def active(self) -> bool:
        return bool(self.stage or self.type or self.organiser)


def event_list_visible_to(user, *, filters: Filters | None = None, top_level: bool = True):
    """Events ``user`` may see, filtered, with what a list row shows loaded in the same query."""
    queryset = Event.objects.visible_to(user).exclude(type__in=OFF_CALENDAR_TYPES).select_related("organiser")
    if top_level:
        # Sub-events (a fair's talks and booths) are shown on their umbrella event's page.
        queryset = queryset.filter(parent__isnull=True)
    if filters is not None:
        queryset = filters.apply(queryset)
    return queryset.order_by("starts_at", "pk")


def event_upcoming_for_home(*, limit: int = 5) -> list[Event]:
    """The next public events for the front page, the same for every visitor (one query)."""
    return list(Event.objects.filter(is_public=True, parent__isnull=True, status=Event.Status.SCHEDULED,
                                     starts_at__gte=timezone.now()).exclude(type__in=OFF_CALENDAR_TYPES)
                .order_by("starts_at", "pk")[:limit])


@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    events: list = field(default_factory=list)


def next_event_from(user, *, day: date, filters: Filters) -> Event | None:
    """The first event ``user`` may see that starts on or after ``day`` (for an empty month: "the
    next one is on ..."). One query, on the ``starts_at`` index."""
    return (event_list_visible_to(user, filters=filters).filter(starts_at__gte=local_midnight(day))
            .order_by("starts_at", "pk").first())


def month_weeks(user, *, month: date, filters: Filters) -> list[list[Day]]:
    """The month grid: weeks starting on Sunday, each day with the events touching it (Seoul time).

    One query for all events of the grid, however many there are."""
    weeks_dates = calendar.Calendar(firstweekday=6).monthdatescalendar(month.year, month.month)
    first, last = weeks_dates[0][0], weeks_dates[-1][-1]
    return _bucket(user, weeks_dates, first, last, filters, month=month)


def week_days(user, *, week_start: date, filters: Filters) -> list[Day]:
    days = [week_start + timedelta(days=i) for i in range(7)]
    return _bucket(user, [days], days[0], days[-1], filters, month=None)[0]


def _bucket(user, weeks_dates, first: date, last: date, filters: Filters, *, month: date | None):
    start, end = local_midnight(first), local_midnight(last + timedelta(days=1))
    events = list(event_list_visible_to(user, filters=filters).filter(starts_at__lt=end, ends_at__gte=start))
    now_day = today()
    by_day: dict[date, list] = {}
    for event in events:
        day = max(timezone.localdate(event.starts_at), first)
        end_day = min(timezone.localdate(event.ends_at), last)
        while day <= end_day:
            by_day.setdefault(day, []).append(event)
            day += timedelta(days=1)
    return [
        [Day(date=d, in_month=month is None or d.month == month.month, is_today=d == now_day,
             events=by_day.get(d, [])) for d in week]
        for week in weeks_dates
    ]


def event_places(event: Event) -> dict:
    """Confirmed/waitlisted head counts and places left of one event (one query)."""
    counts = event.registrations.aggregate(
        taken=Sum("party_size", filter=Q(status__in=Registration.HOLDS_PLACE)),
        waiting=Sum("party_size", filter=Q(status=Registration.Status.WAITLISTED)),
        attended=Count("pk", filter=Q(status=Registration.Status.ATTENDED)),
    )
    taken = counts["taken"] or 0
    return {
        "taken": taken,
        "waiting": counts["waiting"] or 0,
        "attended": counts["attended"],
        "left": None if event.capacity is None else max(0, event.capacity - taken),
        "waitlist_left": max(0, event.waitlist_limit - (counts["waiting"] or 0)),
    }


def sub_events_with_places(event: Event) -> list[Event]:
    """The umbrella event's sub-events, each with ``places_taken`` annotated (one query)."""
    return list(
        event.sub_events.filter(is_public=True).select_related("organiser").annotate(
            places_taken=Sum("registrations__party_size",
                             filter=Q(registrations__status__in=Registration.HOLDS_PLACE)),
        ).order_by("starts_at", "pk")
    )


def checkin_counts(event: Event) -> dict:
    counts = event.registrations.aggregate(
        attended=Count("pk", filter=Q(status=Registration.Status.ATTENDED)),
        attended_people=Sum("party_size", filter=Q(status=Registration.Status.ATTENDED)),
        expected=Count("pk", filter=Q(status__in=Registration.HOLDS_PLACE)),
    )
    return {"attended": counts["attended"], "attended_people": counts["attended_people"] or 0,
            "expected": counts["expected"]}


def organiser_overview(event: Event) -> dict:
    """The organiser page of one event: who is confirmed (with the attended), offered (until when)
    and waiting (in queue order, with their place), and the messages sent or scheduled to them.
    Four queries, however many registrants."""
    S = Registration.Status
    registrations = list(event.registrations.exclude(status=S.CANCELLED).select_related("user")
                         .order_by("created_at", "pk"))
    waiting = [r for r in registrations if r.status == S.WAITLISTED]
    for position, registration in enumerate(waiting, start=1):
        registration.queue_position = position
    from .models import OrganiserMessage

    return {
        "confirmed": [r for r in registrations if r.status in (S.CONFIRMED, S.ATTENDED)],
        "offered": sorted((r for r in registrations if r.status == S.OFFERED), key=lambda r: r.offer_expires_at),
        "waiting": waiting,
        "sent_messages": list(OrganiserMessage.objects.filter(event=event).select_related("sent_by")
                         .order_by("-created_at", "-pk")[:100]),
    }


def events_to_move_to(user, *, event: Event):
    """Where an organiser may move a registrant of ``event``: other scheduled, upcoming events they
    manage, the same series' sessions first."""
    queryset = (Event.objects.managed_by(user).filter(status=Event.Status.SCHEDULED, starts_at__gt=timezone.now(),
                                                      registration_required=True)
                .exclude(pk=event.pk))
    if event.series_id:
        queryset = queryset.filter(series_id=event.series_id)
    elif event.parent_id:
        queryset = queryset.filter(parent_id=event.parent_id)
    else:
        queryset = queryset.filter(organiser_id=event.organiser_id, type=event.type)
    return queryset.order_by("starts_at", "pk")


def series_sessions(user, *, series) -> list[Event]:
    """The sessions of ``series`` that ``user`` may see, in order, with ``places_taken`` (one query)."""
    return list(
        Event.objects.visible_to(user).filter(series=series).annotate(
            places_taken=Sum("registrations__party_size",
                             filter=Q(registrations__status__in=Registration.HOLDS_PLACE)),
        ).order_by("starts_at", "pk")
    )


def series_nav(user, *, event: Event) -> dict | None:
    """Where a session sits in its series: number, count, previous and next sessions (one query)."""
    if not event.series_id:
        return None
    sessions = list(Event.objects.visible_to(user).filter(series_id=event.series_id).order_by("starts_at", "pk")
                    .only("pk", "starts_at", "title_ko", "title_en", "status"))
    ids = [session.pk for session in sessions]
    if event.pk not in ids:
        return None
    index = ids.index(event.pk)
    return {"series": event.series, "number": index + 1, "count": len(sessions), "sessions": sessions,
            "prev": sessions[index - 1] if index > 0 else None,
            "next": sessions[index + 1] if index + 1 < len(sessions) else None}
def with_card_figures(queryset):
    """Annotate what an event card shows (events/_card.html): ``card_taken`` (people holding a place)
    and ``card_waiting`` (on the waitlist), in the list's own query."""
    return queryset.annotate(
        card_taken=Sum("registrations__party_size", filter=Q(registrations__status__in=Registration.HOLDS_PLACE)),
        card_waiting=Sum("registrations__party_size", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
    )


def event_this_month_for_home(*, limit: int = 6) -> list[Event]:
    """Public events of the current calendar month that have not ended, soonest first, with their card
    figures; the same for every visitor (one query)."""
    now = timezone.now()
    day = today()
    next_month = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    queryset = Event.objects.filter(is_public=True, parent__isnull=True, status=Event.Status.SCHEDULED,
                                    ends_at__gte=now, starts_at__lt=local_midnight(next_month))
    # The singles meetups are for the institutions' staff, never the public front page (issue 13.8).
    queryset = queryset.exclude(type=Event.Type.MEETUP)
    return list(with_card_figures(queryset.select_related("organiser")).order_by("starts_at", "pk")[:limit])
