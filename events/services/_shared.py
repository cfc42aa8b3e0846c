"""What the events services share: the event row lock, the count of places, and how messages name
an event and its time."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from notifications.rendering import language_for

from ..models import Event, Registration

Status = Registration.Status


# --- Helpers -----------------------------------------------------------------------------------

def format_when(moment: datetime) -> str:
    """A language-neutral Seoul-time label for messages: ``2027-04-17 10:00``."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def message_context(event: Event, recipient, **extra: str) -> dict[str, str]:
    """Message values naming ``event`` in ``recipient``'s language (the English title, falling back
    to the Korean one, for an English reader), whatever language the sending request speaks."""
    with translation.override(language_for(recipient)):
        return {"title": event.title, "when": format_when(event.starts_at), **extra}


def title_context(obj, recipient) -> dict[str, str]:
    """Just the title of ``obj`` (an event or a program) in ``recipient``'s language."""
    with translation.override(language_for(recipient)):
        return {"title": obj.title}


def my_link() -> str:
    return reverse("events:my")


# The two counts every registration makes at an opening, one before the event's row lock and one
# under it, as SQL written once: built by the ORM on each call (an aggregate with two filtered sums)
# they cost more CPU than the rest of the work under the lock, and every millisecond there is one
# the next parent waits (bench/request_costs.py, docs/performance.md "Profiled and fixed"). Plain
# SQL both PostgreSQL and SQLite run; the statuses are the models' own constants.
def _counts_sql(*, mine: bool) -> str:
    holds = ", ".join(["%s"] * len(Registration.HOLDS_PLACE))
    active = ", ".join(["%s"] * len(Registration.ACTIVE))
    sums = (f"COALESCE(SUM(CASE WHEN status IN ({holds}) THEN party_size END), 0), "
            "COALESCE(SUM(CASE WHEN status = %s THEN party_size END), 0)")
    if mine:
        sums += f", COUNT(CASE WHEN user_id = %s AND status IN ({active}) THEN 1 END)"
    return f"SELECT {sums} FROM {Registration._meta.db_table} WHERE event_id = %s"  # noqa: S608 - constants


_COUNTS_SQL, _COUNTS_AND_MINE_SQL = _counts_sql(mine=False), _counts_sql(mine=True)
_HOLDS, _ACTIVE = [s.value for s in Registration.HOLDS_PLACE], [s.value for s in Registration.ACTIVE]


def places_counts(event: Event) -> tuple[int, int]:
    """People holding a place and people waitlisted, in one query (``places_taken``, ``places_waitlisted``)."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS_SQL, [*_HOLDS, Status.WAITLISTED.value, event.pk])
        taken, waitlisted = cursor.fetchone()
    return int(taken), int(waitlisted)


def places_counts_and_holding(event: Event, user) -> tuple[int, int, bool]:
    """``places_counts`` and whether ``user`` holds an active registration, in the same one query."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS_AND_MINE_SQL, [*_HOLDS, Status.WAITLISTED.value, user.pk, *_ACTIVE, event.pk])
        taken, waitlisted, mine = cursor.fetchone()
    return int(taken), int(waitlisted), mine > 0


def places_taken(event: Event) -> int:
    """People holding a place (confirmed, offered or attended)."""
    return places_counts(event)[0]


def places_waitlisted(event: Event) -> int:
    return places_counts(event)[1]


def places_left(event: Event) -> int | None:
    """Free places, or None when the event has no capacity limit."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - places_taken(event))


# What a registration decides on and may have changed since the event was read: read again under the lock.
REGISTRATION_STATE = ("status", "registration_required", "series_id", "registration_opens_at",
                      "registration_closes_at", "starts_at", "capacity", "waitlist_limit", "party_size_max")


def lock_event_state(event: Event) -> Event:
    """Lock ``event``'s row like ``lock_event`` and read again only ``REGISTRATION_STATE`` into the
    instance (the registration path: the whole row, built as a model, cost several times more)."""
    values = (Event.objects.select_for_update(no_key=True).filter(pk=event.pk)
              .values_list(*REGISTRATION_STATE).get())
    for name, value in zip(REGISTRATION_STATE, values, strict=True):
        setattr(event, name, value)
    return event


def lock_event(event: Event | int) -> Event:
    pk = event.pk if isinstance(event, Event) else event
    # NO KEY UPDATE: the registrations' foreign-key checks (KEY SHARE) on the event do not wait for it.
    return Event.objects.select_for_update(no_key=True).get(pk=pk)
