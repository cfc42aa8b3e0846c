"""The dashboard's tables in page order, which of them a scope may see, and one table by key."""

from __future__ import annotations

from ..forms import ReportFilters
from .agency_tables import commitments_progress, event_fill, lecture_dispatches, partner_activities
from .city_tables import applications_by_month, matchmaking_sessions, program_decisions
from .scope import ReportScope, Table

# --- The dashboard ------------------------------------------------------------------------------

TABLE_KEYS = ("applications_by_month", "program_decisions", "event_fill", "partner_activities",
              "commitments_progress", "lecture_dispatches", "matchmaking_sessions")
CITY_ONLY = {"applications_by_month", "program_decisions", "matchmaking_sessions"}


def table_keys_for(scope: ReportScope) -> tuple[str, ...]:
    return tuple(k for k in TABLE_KEYS if scope.is_city or k not in CITY_ONLY)


def report_table(key: str, *, user, scope: ReportScope, filters: ReportFilters) -> Table:
    """One dashboard table by key (KeyError for an unknown key or one the scope may not see)."""
    if key not in table_keys_for(scope):
        raise KeyError(key)
    if key == "applications_by_month":
        return applications_by_month(user=user, filters=filters)
    if key == "program_decisions":
        return program_decisions(user=user, filters=filters)
    if key == "event_fill":
        return event_fill(user=user, scope=scope, filters=filters)
    if key == "partner_activities":
        return partner_activities(user=user, filters=filters)
    if key == "commitments_progress":
        return commitments_progress(user=user, filters=filters)
    if key == "lecture_dispatches":
        return lecture_dispatches(user=user, filters=filters)
    return matchmaking_sessions(filters=filters)


def dashboard(*, user, scope: ReportScope, filters: ReportFilters) -> list[Table]:
    """Every table the user may see, in page order: one aggregate query each."""
    return [report_table(key, user=user, scope=scope, filters=filters) for key in table_keys_for(scope)]
