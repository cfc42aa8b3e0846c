"""Reads behind the reports dashboard and its exports.

Each dashboard table (and the chart(s) drawn from it) comes from ONE aggregate query, whatever the
number of rows behind it; the only exception is the median on a non-PostgreSQL database (``make
run`` on SQLite), where a second values_list query feeds a Python median. Every queryset goes
through the owning model's ``visible_to(user)``; agency staff therefore see their own agency's
events, activities, commitments and lectures, and nothing of applications or matchmaking (those
rows have no agency).
"""

from gwangmyeong_portal import small_counts
from gwangmyeong_portal.small_counts import threshold as small_count_threshold

# Callers import from this package; the submodules import one another directly, never through it, so
# importing any one of them cannot loop back here.
from .access_review import AccessReview, access_review
from .agency_tables import MAX_EVENTS, commitments_progress, event_fill, lecture_dispatches, partner_activities
from .city_tables import Median, applications_by_month, matchmaking_sessions, program_decisions
from .exports import activity_export_rows, application_export_rows, attendee_export_rows, lecture_export_rows
from .scope import Column, ReportScope, Table, report_scope_for
from .tables import CITY_ONLY, TABLE_KEYS, dashboard, report_table, table_keys_for

__all__ = [
    "AccessReview",
    "CITY_ONLY",
    "MAX_EVENTS",
    "TABLE_KEYS",
    "Column",
    "Median",
    "ReportScope",
    "Table",
    "access_review",
    "activity_export_rows",
    "application_export_rows",
    "applications_by_month",
    "attendee_export_rows",
    "commitments_progress",
    "dashboard",
    "event_fill",
    "lecture_dispatches",
    "lecture_export_rows",
    "matchmaking_sessions",
    "partner_activities",
    "program_decisions",
    "report_scope_for",
    "report_table",
    "small_count_threshold",
    "table_keys_for",
]


def __getattr__(name: str):
    # The names the small-count rule had when it lived here, read from the one rule now (so they
    # follow SMALL_COUNT_THRESHOLD): SUPPRESS_BELOW, SUPPRESSED ('<5') and WITHHELD ('—').
    if name == "SUPPRESS_BELOW":
        return small_counts.threshold()
    if name == "SUPPRESSED":
        return small_counts.suppressed()
    if name == "WITHHELD":
        return small_counts.withheld()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
