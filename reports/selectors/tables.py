"""The dashboard's tables in page order, which of them a scope may see, and one table by key."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

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
    """One dashboard table by key (KeyError for an unknown key or one the scope may not see).

    Kept for ``REPORTS_CACHE_SECONDS`` (0: computed every time), per user, scope, filters and
    language: the city-wide tables aggregate every application, a few hundred milliseconds of
    PostgreSQL each, and a clerk refreshing the dashboard during a registration rush would take
    that from the citizens. The table says when it was computed (``computed_at``), and the page
    shows it. Aggregates only: the cache holds no one's personal data."""
    if key not in table_keys_for(scope):
        raise KeyError(key)
    seconds = settings.REPORTS_CACHE_SECONDS
    if not seconds:
        return _computed(key, user=user, scope=scope, filters=filters)
    name = json.dumps([key, user.pk, scope.kind, scope.agency_id, filters.as_json(), translation.get_language()],
                      sort_keys=True)
    cache_key = "reports:table:" + hashlib.sha256(name.encode()).hexdigest()[:32]
    table = cache.get(cache_key)
    if table is None:
        table = _computed(key, user=user, scope=scope, filters=filters)
        table.cache_key = cache_key
        cache.set(cache_key, table, seconds)
    return table


def _computed(key: str, *, user, scope: ReportScope, filters: ReportFilters) -> Table:
    table = _compute(key, user=user, scope=scope, filters=filters)
    table.computed_at = timezone.now()
    return table


def _compute(key: str, *, user, scope: ReportScope, filters: ReportFilters) -> Table:
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
