"""What the events services share: the event row lock, the count of places, and how messages name
an event and its time."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, Sum
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


def places_taken(event: Event) -> int:
    """People holding a place (confirmed, offered or attended)."""
    total = event.registrations.filter(status__in=Registration.HOLDS_PLACE).aggregate(n=Sum("party_size"))["n"]
    return total or 0


def places_waitlisted(event: Event) -> int:
    total = event.registrations.filter(status=Status.WAITLISTED).aggregate(n=Sum("party_size"))["n"]
    return total or 0


def _place_sums() -> dict:
    return {"taken": Sum("party_size", filter=Q(status__in=Registration.HOLDS_PLACE)),
            "waitlisted": Sum("party_size", filter=Q(status=Status.WAITLISTED))}


def places_counts(event: Event) -> tuple[int, int]:
    """People holding a place and people waitlisted, in one query (``places_taken``, ``places_waitlisted``)."""
    totals = event.registrations.aggregate(**_place_sums())
    return totals["taken"] or 0, totals["waitlisted"] or 0


def places_counts_and_holding(event: Event, user) -> tuple[int, int, bool]:
    """``places_counts`` and whether ``user`` holds an active registration, in the same one query."""
    totals = event.registrations.aggregate(
        **_place_sums(), mine=Count("pk", filter=Q(user=user, status__in=Registration.ACTIVE)))
    return totals["taken"] or 0, totals["waitlisted"] or 0, totals["mine"] > 0


def places_left(event: Event) -> int | None:
    """Free places, or None when the event has no capacity limit."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - places_taken(event))


def lock_event(event: Event | int) -> Event:
    pk = event.pk if isinstance(event, Event) else event
    # NO KEY UPDATE: the registrations' foreign-key checks (KEY SHARE) on the event do not wait for it.
    return Event.objects.select_for_update(no_key=True).get(pk=pk)
