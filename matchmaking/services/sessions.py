"""Meetup sessions: create, apply, withdraw, the recorded draw, attendance and who attended."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify

from .. import notification_kinds as kinds
from ..models import DrawRecord, MeetupSession, Profile, SessionApplication
from .draws import DRAW_ALGORITHM, draw_compute, draw_public_fields
from .profiles import profile_touch
from .seats import meetup_when, seat_release

Status = SessionApplication.Status


@transaction.atomic
def session_create(*, title_ko: str, starts_at: datetime, ends_at: datetime, applications_open_at: datetime,
                   applications_close_at: datetime, pick_deadline: datetime, seats_female: int = 10,
                   seats_male: int = 10, venue: str = "", address: str = "", description_ko: str = "",
                   title_en: str = "", created_by=None) -> MeetupSession:
    """Put a meetup on the events calendar (a ``type="meetup"`` event) with its seats and periods.

    Applications go through the registry, not the events app, so the event takes no registrations.
    """
    from events.models import Event
    from events.services import event_create

    if applications_close_at > starts_at:
        raise ValidationError(_("신청 마감은 행사 시작 전이어야 합니다."), code="close_after_start")
    if pick_deadline <= ends_at:
        raise ValidationError(_("선택 마감은 행사가 끝난 뒤여야 합니다."), code="pick_before_end")
    event = event_create(
        title_ko=title_ko, title_en=title_en, starts_at=starts_at, ends_at=ends_at, type=Event.Type.MEETUP,
        description_ko=description_ko, organiser_office="여성가족과", venue=venue, address=address,
        audience="광명시와 협약 기관 미혼 직원", registration_required=False, created_by=created_by,
        # Not on the public calendar, feed or home page: the meetup is for the institutions' staff,
        # who find it in the registry (linked from the partners pages and their my page).
        is_public=False,
    )
    session = MeetupSession(
        event=event, seats_female=seats_female, seats_male=seats_male, applications_open_at=applications_open_at,
        applications_close_at=applications_close_at, pick_deadline=pick_deadline,
    )
    session.full_clean(exclude=["event"])
    session.save()
    return session


@transaction.atomic
def session_apply(*, session: MeetupSession, profile: Profile, now: datetime | None = None) -> SessionApplication:
    """Apply to a session during its application period; seats are filled by the draw afterwards."""
    now = now or timezone.now()
    if now < session.applications_open_at:
        raise ValidationError(_("아직 신청 기간이 아닙니다."), code="not_open")
    if now >= session.applications_close_at or session.drawn_at is not None:
        raise ValidationError(_("신청 기간이 끝났습니다."), code="closed")
    try:
        with transaction.atomic():
            application = SessionApplication.objects.create(session=session, profile=profile)
    except IntegrityError:
        raise ValidationError(_("이미 신청하셨습니다."), code="duplicate") from None
    profile_touch(profile=profile, now=now)
    return application


@transaction.atomic
def session_withdraw(*, session: MeetupSession, profile: Profile, now: datetime | None = None) -> str | None:
    """Withdraw ``profile``'s application to ``session`` at any time until the meetup starts.

    Before the draw the application simply goes. After the draw a selected seat is handed to the
    next person waiting (``seats.seat_release``): the waitlisted application of the same gender with the
    lowest ``waitlist_position`` becomes selected and is told. The other waitlist positions are kept
    as the draw gave them (gaps included), so they always match the published ``DrawRecord``; what
    counts is their order. The ``DrawRecord`` itself is never changed: the promotion is a later fact,
    recorded in the application's status and the promoted person's notification.

    Once the meetup has started nothing can be withdrawn (``ValidationError``, code ``started``).
    Concurrency: the session row is locked (``select_for_update``) before the application is read,
    so two people giving up their seats at once promote two different people, one after the other.
    Returns the status the withdrawn application had, or None when there was none.
    """
    now = now or timezone.now()
    session = MeetupSession.objects.select_for_update(of=("self",)).select_related("event").get(pk=session.pk)
    if now >= session.starts_at:
        raise ValidationError(_("행사가 시작된 뒤에는 신청을 취소할 수 없습니다."), code="started")
    application = session.applications.filter(profile=profile).select_related("profile").first()
    if application is None:
        return None
    status = application.status
    seat_release(session=session, application=application)
    return status


@transaction.atomic
def session_draw(*, session: MeetupSession, drawn_by, now: datetime | None = None) -> DrawRecord:
    """Fill the seats by a seeded random draw after applications close; record it; tell everyone.

    The seed is the one chosen (by ``secrets``) when the session was made and committed to by
    its SHA-256 on the applicants' check page: nobody, staff included, chooses it or who is drawn,
    and every applicant can re-run the draw afterwards (``services.draws``). The session row is
    locked so two clicks cannot draw twice.
    """
    now = now or timezone.now()
    if not (drawn_by.is_superuser or drawn_by.has_perm("matchmaking.run_draw")):
        raise PermissionDenied(_("추첨을 실행할 권한이 없습니다."))
    session = MeetupSession.objects.select_for_update().select_related("event").get(pk=session.pk)
    if session.drawn_at is not None:
        raise ValidationError(_("이미 추첨했습니다."), code="already_drawn")
    if now < session.applications_close_at:
        raise ValidationError(_("신청 기간이 끝난 뒤에 추첨할 수 있습니다."), code="not_closed")
    applications = list(session.applications.filter(status=Status.APPLIED).select_related("profile__user")
                        .order_by("pk"))
    by_id = {a.pk: a for a in applications}
    input_order = {g: [a.pk for a in applications if a.profile.gender == g] for g in Profile.Gender.values}
    seats = {g: session.seats_for(g) for g in Profile.Gender.values}
    seed = session.committed_seed or secrets.token_hex(16)
    result = draw_compute(seed=seed, input_order=input_order, seats=seats)
    link = reverse("matchmaking:sessions")
    for outcome in result.values():
        for pk in outcome["selected"]:
            application = by_id[pk]
            application.status = Status.SELECTED
            application.save(update_fields=["status"])
            notify(recipient=application.profile.user, kind=kinds.DRAW_SELECTED.key, link=link,
                   context={"title": session.title, "when": meetup_when(session.starts_at)},
                   idempotency_key=f"matchmaking.draw:{session.pk}:{pk}")
        for position, pk in enumerate(outcome["waitlisted"], start=1):
            application = by_id[pk]
            application.status, application.waitlist_position = Status.WAITLISTED, position
            application.save(update_fields=["status", "waitlist_position"])
            notify(recipient=application.profile.user, kind=kinds.DRAW_WAITLISTED.key, link=link,
                   context={"title": session.title, "position": str(position)},
                   idempotency_key=f"matchmaking.draw:{session.pk}:{pk}")
    session.draw_seed, session.drawn_at, session.drawn_by = seed, now, drawn_by
    session.save(update_fields=["draw_seed", "drawn_at", "drawn_by"])
    return DrawRecord.objects.create(session=session, seed=seed, algorithm=DRAW_ALGORITHM, input_order=input_order,
                                     result=result, drawn_by=drawn_by, drawn_at=now,
                                     **draw_public_fields(session=session, applications=applications))


@transaction.atomic
def attendance_mark(*, session: MeetupSession, attended_profile_ids: Iterable[int], marked_by,
                    now: datetime | None = None) -> int:
    """Record who came. Drawn (or waitlisted) people listed become attendees, selected people not
    listed no-shows. May be corrected until the pick deadline. Attendees are told picks are open."""
    now = now or timezone.now()
    if not (marked_by.is_superuser or marked_by.has_perm("matchmaking.change_sessionapplication")):
        raise PermissionDenied(_("출석을 기록할 권한이 없습니다."))
    session = MeetupSession.objects.select_for_update().select_related("event").get(pk=session.pk)
    if session.drawn_at is None:
        raise ValidationError(_("추첨 전에는 출석을 기록할 수 없습니다."), code="not_drawn")
    if now < session.starts_at:
        raise ValidationError(_("행사가 시작된 뒤에 출석을 기록할 수 있습니다."), code="not_started")
    if now >= session.pick_deadline:
        raise ValidationError(_("선택 마감이 지나 출석을 고칠 수 없습니다."), code="after_deadline")
    attended = set(attended_profile_ids)
    count = 0
    for application in session.applications.select_related("profile__user"):
        if application.profile_id in attended and application.status != Status.APPLIED:
            if application.status != Status.ATTENDED:
                application.status = Status.ATTENDED
                application.save(update_fields=["status"])
            count += 1
            notify(recipient=application.profile.user, kind=kinds.PICKS_OPEN.key,
                   link=reverse("matchmaking:picks", args=[session.pk]),
                   context={"title": session.title, "deadline": meetup_when(session.pick_deadline)},
                   idempotency_key=f"matchmaking.picks_open:{session.pk}:{application.profile_id}")
        elif application.status in (Status.SELECTED, Status.ATTENDED):
            application.status = Status.NO_SHOW
            application.save(update_fields=["status"])
    session.attendance_marked_at = now
    session.save(update_fields=["attendance_marked_at"])
    return count


def attendee_ids(session: MeetupSession) -> set[int]:
    return set(session.applications.filter(status=Status.ATTENDED).values_list("profile_id", flat=True))
