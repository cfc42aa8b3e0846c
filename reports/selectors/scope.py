"""Who sees which report, and the pieces every report table is built from: ``Column``, ``Table``,
the period bounds, rates and the chart description. Small counts are hidden by the project's one
rule, ``gwangmyeong_portal.small_counts``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from ..forms import ReportFilters

# --- Who sees what --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportScope:
    """``all`` for clerks and superusers; ``agency`` (with its id) for agency staff."""

    kind: str
    agency_id: int | None = None
    agency_name: str = ""

    @property
    def is_city(self) -> bool:
        return self.kind == "all"


def report_scope_for(user) -> ReportScope | None:
    """The reports a user may see, or None (anonymous users and citizens see none)."""
    from accounts.roles import is_clerk
    from partners.selectors import membership_for

    if not getattr(user, "is_authenticated", False):
        return None
    if is_clerk(user):
        return ReportScope("all")
    membership = membership_for(user)
    if membership is not None:
        return ReportScope("agency", membership.agency_id, membership.agency.name)
    return None


# --- Tables -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy Korean msgid: shown on the page and used as the Korean export header
    en: str  # the English export header (``?lang=en``)
    numeric: bool = False


@dataclass
class Table:
    """One dashboard table: what the page shows, what its chart(s) draw and what its export holds."""

    key: str
    title: Any
    columns: tuple[Column, ...]
    rows: list[list] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    note: Any = ""
    computed_at: datetime | None = None  # when its figures were counted (``report_table`` keeps them a while)
    cache_key: str = ""  # under which ``report_table`` keeps it ("" when it is computed every time)


def period_bounds(filters: ReportFilters) -> tuple[datetime, datetime]:
    """[start 00:00, day after end 00:00) in the portal's time zone, as aware datetimes."""
    tz = timezone.get_current_timezone()
    return (datetime.combine(filters.start, time.min, tzinfo=tz),
            datetime.combine(filters.end_exclusive, time.min, tzinfo=tz))


def months_between(filters: ReportFilters) -> list[date]:
    months, current = [], filters.start.replace(day=1)
    while current <= filters.end:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def rate_of(numerator, denominator) -> float | None:
    if not denominator or numerator is None:
        return None
    return round(100 * numerator / denominator, 1)


def chart_data(kind: str, title, labels: list, datasets: list[dict], *, stacked=False, horizontal=False,
           y_title="", percent=False) -> dict:
    return {"type": kind, "title": str(title), "labels": [str(label) for label in labels],
            "datasets": [{**d, "label": str(d["label"])} for d in datasets], "stacked": stacked,
            "horizontal": horizontal, "yTitle": str(y_title), "percent": percent}
