"""Seats of a drawn meetup changing hands: the one step both a withdrawal
(``sessions.session_withdraw``) and leaving the registry (``profiles.profile_leave``) take.

It lives apart from both because each of them needs it and ``sessions`` already imports
``profiles`` (``profile_touch``): here neither has to reach into the other.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone, translation

from notifications.rendering import language_for
from notifications.services import notify

from .. import notification_kinds as kinds
from ..models import MeetupSession, SessionApplication

Status = SessionApplication.Status


def meetup_when(moment: datetime) -> str:
    """A meetup's time as its messages print it (Seoul time, minutes)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def seat_release(*, session: MeetupSession, application: SessionApplication) -> SessionApplication | None:
    """Delete ``application``; if it held a drawn seat, give the seat to the next person waiting.

    The one place a seat changes hands after the draw (``session_withdraw``, ``profile_leave``).
    The caller holds the lock on ``session`` and has checked the meetup has not started. The next
    person is the ``WAITLISTED`` application of the leaver's gender with the lowest
    ``waitlist_position``; it becomes ``SELECTED`` with no position, the others keep theirs. The
    promoted person is told with the session's title and time only — nothing about who left — in
    their own language; the idempotency key (session, promoted application) makes a retry harmless.
    Returns the promoted application, or None (a waitlisted or undrawn application, nobody waiting).
    """
    held_seat = application.status == Status.SELECTED
    gender = application.profile.gender
    application.delete()
    if not held_seat:
        return None
    promoted = (session.applications.filter(status=Status.WAITLISTED, profile__gender=gender)
                .select_related("profile__user").order_by("waitlist_position", "pk").first())
    if promoted is None:
        return None
    promoted.status, promoted.waitlist_position = Status.SELECTED, None
    promoted.save(update_fields=["status", "waitlist_position"])
    recipient = promoted.profile.user
    with translation.override(language_for(recipient)):
        context = {"title": session.title, "when": meetup_when(session.starts_at)}
    notify(recipient=recipient, kind=kinds.WAITLIST_PROMOTED.key, link=reverse("matchmaking:sessions"),
           context=context, idempotency_key=f"matchmaking.promoted:{session.pk}:{promoted.pk}")
    return promoted
