"""Writes of the meetup registry: consent, verification, profiles, sessions, the draw, picks,
matches, leaving and retention.

Every refusal is a ``ValidationError`` with a Korean message and a ``code``, raised before
anything is written, so a refused call changes nothing.

The writes live in one submodule per entity; this package re-exports them, so callers keep writing
``services.<name>``. A test that patches a name patches the submodule that reads it.
"""

from .consent import CONSENT_VERSION, consent_current, consent_record
from .draws import DRAW_ALGORITHM, draw_compute
from .picks import match_create, pick_submit
from .profiles import profile_create, profile_leave, profile_touch, profile_update, retention_run
from .retention import consent_purge_unused
from .sessions import (
    attendance_mark,
    attendee_ids,
    session_apply,
    session_create,
    session_draw,
    session_withdraw,
)
from .verification import (
    Eligibility,
    can_verify_for,
    eligibility_for,
    roster_check,
    roster_import,
    verification_decide,
    verification_request,
)

__all__ = [
    "CONSENT_VERSION",
    "DRAW_ALGORITHM",
    "Eligibility",
    "attendance_mark",
    "attendee_ids",
    "can_verify_for",
    "consent_current",
    "consent_purge_unused",
    "consent_record",
    "draw_compute",
    "eligibility_for",
    "match_create",
    "pick_submit",
    "profile_create",
    "profile_leave",
    "profile_touch",
    "profile_update",
    "retention_run",
    "roster_check",
    "roster_import",
    "session_apply",
    "session_create",
    "session_draw",
    "session_withdraw",
    "verification_decide",
    "verification_request",
]
