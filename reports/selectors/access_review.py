"""The monthly check of the personal-data access log that PIPA's safety standard asks for.

For one month (Seoul time): per staff account, how many log rows and how many records it touched
(a list counts the rows it showed, an export the rows it wrote), its exports and its access outside
office hours, each flagged against the thresholds in settings (``ACCESS_REVIEW_*``); then every
out-of-hours row and every export of the month. Three queries, whatever the month holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, ExtractHour, ExtractIsoWeekDay

from gwangmyeong_portal.models import AccessLogEntry

# Rows listed in the out-of-hours and export sections at most (the per-account table has them all).
MAX_LISTED = 500
Action = AccessLogEntry.Action


@dataclass(frozen=True)
class AccountAccess:
    actor_email: str
    entries: int
    records: int
    exports: int
    out_of_hours: int

    @property
    def too_many_records(self) -> bool:
        return self.records > settings.ACCESS_REVIEW_MAX_RECORDS

    @property
    def too_many_exports(self) -> bool:
        return self.exports > settings.ACCESS_REVIEW_MAX_EXPORTS

    @property
    def unusual(self) -> bool:
        return self.too_many_records or self.too_many_exports or self.out_of_hours > 0


@dataclass(frozen=True)
class AccessReview:
    month: date
    accounts: list[AccountAccess]
    out_of_hours: list[AccessLogEntry]
    exports: list[AccessLogEntry]
    out_of_hours_total: int
    exports_total: int

    @property
    def flagged(self) -> list[AccountAccess]:
        return [a for a in self.accounts if a.unusual]


def month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return datetime.combine(first, time.min, tzinfo=tz), datetime.combine(following, time.min, tzinfo=tz)


def _out_of_hours() -> Q:
    return (Q(local_hour__lt=settings.ACCESS_REVIEW_OFFICE_START_HOUR)
            | Q(local_hour__gte=settings.ACCESS_REVIEW_OFFICE_END_HOUR) | Q(local_weekday__gte=6))


def access_review(*, month: date) -> AccessReview:
    """Unusual access in ``month`` (any day of it), from the access log."""
    tz = ZoneInfo(settings.TIME_ZONE)
    start, end = month_bounds(month)
    rows = (AccessLogEntry.objects.filter(at__gte=start, at__lt=end)
            .annotate(local_hour=ExtractHour("at", tzinfo=tz), local_weekday=ExtractIsoWeekDay("at", tzinfo=tz)))
    shown = Cast(KeyTextTransform("rows", "detail"), IntegerField())
    volume = Case(When(action__in=[Action.LIST, Action.EXPORT], detail__has_key="rows", then=shown),
                  default=Value(1), output_field=IntegerField())
    per_account = (rows.values("actor_email")
                   .annotate(entries=Count("id"), records=Coalesce(Sum(volume), 0),
                             exports=Count("id", filter=Q(action=Action.EXPORT)),
                             out_of_hours=Count("id", filter=_out_of_hours()))
                   .order_by("-records", "actor_email"))
    accounts = [AccountAccess(**r) for r in per_account]
    late = rows.filter(_out_of_hours()).order_by("at", "id")
    exports = rows.filter(action=Action.EXPORT).order_by("at", "id")
    return AccessReview(
        month=month.replace(day=1), accounts=accounts,
        out_of_hours=list(late[:MAX_LISTED]), exports=list(exports[:MAX_LISTED]),
        out_of_hours_total=sum(a.out_of_hours for a in accounts), exports_total=sum(a.exports for a in accounts),
    )
