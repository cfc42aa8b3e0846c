"""Writes of the events app: creating events, registering, the waitlist, reminders and check-in.

Concurrency: every service that counts places and then writes a registration takes a row lock on
the event (``SELECT … FOR UPDATE``) for the length of its transaction, so registrations,
cancellations, offers and their expiry for one event run one after another and the number of
places held never passes ``capacity``. Other events are not blocked.

Every refusal is a ``ValidationError`` with a Korean message a citizen can read; a refused call
changes nothing.

The services live in submodules by concern — ``events`` (create, cancel, weekly series),
``courses`` (a series as a course),
``registrations`` (registering, cancelling, waitlist offers), ``reminders`` (reminders and
feedback), ``checkin`` (check-in), ``organiser`` (messages to registrants, registrants by
hand), ``program_interests`` (from the fair to
the programs), ``retention`` (deleting what is past REGISTRATION_RETENTION_DAYS) — and are
re-exported here, so callers keep writing ``services.registration_create``.
To patch a name in a test, patch it on the submodule that reads it.
"""

from ._shared import format_when, places_left, places_taken, places_waitlisted
from .checkin import checkin, checkin_by_token
from .courses import course_cancel, course_register, course_sessions
from .events import event_cancel, event_create, event_postpone, event_update, series_generate_occurrences
from .organiser import (
    AlreadySent,
    organiser_message_cancel,
    organiser_message_previous,
    organiser_messages_send_due,
    registrants_message,
    registration_add_by_organiser,
    registration_move,
    registration_party_size_change,
)
from .program_interests import program_interest_record, program_interest_remove, program_interests_notify_open
from .registrations import (
    NOTHING_TO_CORRECT,
    event_offer_free_places,
    offer_accept,
    offer_deadline_bound,
    offers_expire,
    registration_cancel,
    registration_create,
)
from .reminders import feedback_requests_send, feedback_submit, reminders_send, two_hour_reminder_due
from .retention import program_interest_purge_expired, registration_purge_expired

__all__ = [
    "NOTHING_TO_CORRECT",
    "course_cancel",
    "course_register",
    "course_sessions",
    "AlreadySent",
    "checkin",
    "checkin_by_token",
    "event_cancel",
    "event_create",
    "event_offer_free_places",
    "event_postpone",
    "event_update",
    "feedback_requests_send",
    "feedback_submit",
    "format_when",
    "offer_accept",
    "offer_deadline_bound",
    "offers_expire",
    "organiser_message_cancel",
    "organiser_message_previous",
    "organiser_messages_send_due",
    "places_left",
    "places_taken",
    "places_waitlisted",
    "program_interest_purge_expired",
    "program_interest_record",
    "program_interest_remove",
    "program_interests_notify_open",
    "registrants_message",
    "registration_add_by_organiser",
    "registration_cancel",
    "registration_create",
    "registration_move",
    "registration_party_size_change",
    "registration_purge_expired",
    "reminders_send",
    "series_generate_occurrences",
    "two_hour_reminder_due",
]
