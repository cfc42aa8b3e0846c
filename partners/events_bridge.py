"""A scheduled lecture appears on the events calendar as a ``lecture`` event, through the events
app's own services. Lectures for citizens are public on the calendar; lectures for an agency's
own staff are visible to that agency's event managers and to clerks only.

This is the one module of partners that imports events: events sits above partners (an event's
organiser is an agency), so this call upward is a named seam, listed as the one exception of the
app-layer contract in pyproject.toml and described in docs/architecture.md.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from events import services

from .models import LectureRequest


def lecture_event_sync(*, lecture, actor) -> None:
    """Create, move or cancel the lecture's calendar event to match the lecture's status."""
    event = lecture.event
    if lecture.status == LectureRequest.Status.SCHEDULED:
        if event is not None and (event.starts_at, event.ends_at, event.venue) == (
            lecture.scheduled_start, lecture.scheduled_end, lecture.venue
        ) and event.status != event.Status.CANCELLED:
            return
        if event is not None:
            services.event_cancel(event=event, reason=str(_("일정이 바뀌었습니다.")))
        lecture.event = services.event_create(
            title_ko=f"[인구교육] {lecture.topic}",
            title_en=f"[Population education] {lecture.topic}",
            description_ko=f"{lecture.agency.name_ko} · {lecture.get_audience_display()} · {lecture.lecturer.name}",
            type="lecture",
            starts_at=lecture.scheduled_start,
            ends_at=lecture.scheduled_end,
            organiser=lecture.agency,
            venue=lecture.venue,
            audience=str(lecture.get_audience_display()),
            is_public=lecture.audience == LectureRequest.Audience.CITIZENS,
            created_by=actor,
        )
        lecture.save(update_fields=["event", "updated_at"])
    elif lecture.status == LectureRequest.Status.CANCELLED and event is not None:
        services.event_cancel(event=event, reason=lecture.cancel_reason)

