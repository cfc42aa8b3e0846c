"""Rows behind the detail exports (CSV/XLSX): value tuples through each model's ``visible_to(user)``."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

# --- Detail exports (rows as tuples, streamed with .iterator()) --------------------------------------

def application_export_rows(*, user, filters: dict) -> QuerySet:
    """Submitted applications with the admin's filters, as value tuples. No contact is selected."""
    from programs.models import Application

    qs = Application.objects.visible_to(user).exclude(status=Application.Status.DRAFT)
    qs = _date_filter(qs, "submitted_at", filters)
    if filters.get("program"):
        qs = qs.filter(program_id=filters["program"])
    if filters.get("stage"):
        qs = qs.filter(program__life_stage=filters["stage"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.order_by("submitted_at", "pk").values_list(
        "reference", "program__title_ko", "program__life_stage", "status", "applicant__name", "submitted_at",
        "decided_at")


def attendee_export_rows(*, user, filters: dict) -> QuerySet:
    """Registrations (not cancelled) of events the user manages, as value tuples. Names only."""
    from events.models import Event, Registration

    events = Event.objects.managed_by(user)
    events = _date_filter(events, "starts_at", filters)
    if filters.get("stage"):
        events = events.with_stage(filters["stage"])
    return (Registration.objects.visible_to(user).filter(event__in=events.values("pk"))
            .exclude(status=Registration.Status.CANCELLED)
            .order_by("event__starts_at", "event_id", "created_at", "pk")
            .values_list("event__title_ko", "event__starts_at", "user__name", "party_size", "status", "created_at",
                         "checked_in_at"))


def activity_export_rows(*, user, filters: dict) -> QuerySet:
    from partners.models import ActivityReport

    qs = ActivityReport.objects.visible_to(user)
    if filters.get("start"):
        qs = qs.filter(date__gte=filters["start"])
    if filters.get("end"):
        qs = qs.filter(date__lte=filters["end"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.order_by("date", "pk").values_list(
        "agency__name_ko", "clause__number", "date", "title", "participants", "status", "submitted_by__name",
        "submitted_at", "decided_at")


def lecture_export_rows(*, user, filters: dict) -> QuerySet:
    """Lecture requests with the lecturer's name only (the roster's phone and e-mail stay out)."""
    from partners.models import LectureRequest

    qs = LectureRequest.objects.visible_to(user).annotate(when=Coalesce("scheduled_start", "preferred_start_1"))
    qs = _date_filter(qs, "when", filters)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.order_by("when", "pk").values_list(
        "agency__name_ko", "topic", "audience", "expected_size", "venue", "status", "lecturer__name",
        "scheduled_start", "scheduled_end", "attendance", "created_at")


def _date_filter(qs: QuerySet, field_name: str, filters: dict) -> QuerySet:
    tz = timezone.get_current_timezone()
    if filters.get("start"):
        qs = qs.filter(**{f"{field_name}__gte": datetime.combine(date.fromisoformat(filters["start"]), time.min,
                                                                  tzinfo=tz)})
    if filters.get("end"):
        end = date.fromisoformat(filters["end"])
        qs = qs.filter(**{f"{field_name}__lt": datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)})
    return qs
