"""Writes of the events app: creating events, registering, the waitlist, reminders and check-in.

Concurrency: every service that counts places and then writes a registration takes a row lock on
the event (``SELECT … FOR UPDATE``) for the length of its transaction, so registrations,
cancellations, offers and their expiry for one event run one after another and the number of
places held never passes ``capacity``. Other events are not blocked.

Every refusal is a ``ValidationError`` with a Korean message a citizen can read; a refused call
changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify

from . import notification_kinds as kinds
from .models import Event, EventSeries, Feedback, ProgramInterest, Registration, stages_to_text

logger = logging.getLogger(__name__)

Status = Registration.Status

DAY_BEFORE = timedelta(hours=24)
TWO_HOURS = timedelta(hours=2)
FEEDBACK_WITHIN = timedelta(days=3)


# --- Helpers -----------------------------------------------------------------------------------

def format_when(moment: datetime) -> str:
    """A language-neutral Seoul-time label for messages: ``2027-04-17 10:00``."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _context(event: Event, **extra: str) -> dict[str, str]:
    return {"title": event.title_ko, "when": format_when(event.starts_at), **extra}


def _my_link() -> str:
    return reverse("events:my")


def places_taken(event: Event) -> int:
    """People holding a place (confirmed, offered or attended)."""
    total = event.registrations.filter(status__in=Registration.HOLDS_PLACE).aggregate(n=Sum("party_size"))["n"]
    return total or 0


def places_waitlisted(event: Event) -> int:
    total = event.registrations.filter(status=Status.WAITLISTED).aggregate(n=Sum("party_size"))["n"]
    return total or 0


def places_left(event: Event) -> int | None:
    """Free places, or None when the event has no capacity limit."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - places_taken(event))


def _lock_event(event: Event | int) -> Event:
    pk = event.pk if isinstance(event, Event) else event
    return Event.objects.select_for_update().get(pk=pk)


# --- Events ------------------------------------------------------------------------------------

def event_create(
    *,
    title_ko: str,
    starts_at: datetime,
    ends_at: datetime,
    type: str = Event.Type.OTHER,  # noqa: A002 - the field is called "type"
    title_en: str = "",
    description_ko: str = "",
    description_en: str = "",
    life_stages: Iterable[str] = (),
    organiser=None,
    organiser_office: str = "",
    venue: str = "",
    address: str = "",
    audience: str = "",
    registration_required: bool = False,
    registration_opens_at: datetime | None = None,
    registration_closes_at: datetime | None = None,
    capacity: int | None = None,
    party_size_max: int = 1,
    waitlist_limit: int = 0,
    offer_hold_hours: int = 24,
    questions: list[dict] | None = None,
    parent: Event | None = None,
    series: EventSeries | None = None,
    is_public: bool = True,
    created_by=None,
) -> Event:
    """Create one event on the calendar and return it.

    Other apps call this too: partners creates a ``type="lecture"`` event for a scheduled lecturer
    dispatch (``organiser`` = the host ``partners.Agency``), matchmaking a ``type="meetup"`` event
    for a meetup session. ``organiser=None`` with ``organiser_office`` (e.g. "여성가족과") means a
    city office organises it. ``life_stages`` are codes of ``events.models.LifeStage``.
    ``capacity=None`` means no limit. Raises ``ValidationError`` for inconsistent values
    (end before start, a closing date before the opening date, unknown type).
    """
    event = Event(
        title_ko=title_ko, title_en=title_en, description_ko=description_ko, description_en=description_en,
        type=type, life_stages=stages_to_text(life_stages), organiser=organiser, organiser_office=organiser_office,
        venue=venue, address=address, audience=audience, registration_required=registration_required,
        registration_opens_at=registration_opens_at, registration_closes_at=registration_closes_at,
        capacity=capacity, party_size_max=party_size_max, waitlist_limit=waitlist_limit,
        offer_hold_hours=offer_hold_hours, questions=questions or [], parent=parent, series=series,
        starts_at=starts_at, ends_at=ends_at, is_public=is_public, created_by=created_by,
    )
    event.full_clean(exclude=["created_by"], validate_constraints=False)
    if ends_at < starts_at:
        raise ValidationError(_("종료 시각은 시작 시각보다 빠를 수 없습니다."))
    event.save()
    return event


def event_cancel(*, event: Event, reason: str = "") -> Event:
    """Cancel an event: calendars get ``STATUS:CANCELLED`` (the ICS sequence goes up) and everyone
    holding or waiting for a place is told. Registrations are kept as they were, for the record."""
    with transaction.atomic():
        event = _lock_event(event)
        if event.status == Event.Status.CANCELLED:
            return event
        event.status = Event.Status.CANCELLED
        event.sequence += 1
        event.save(update_fields=["status", "sequence", "updated_at"])
        for registration in event.registrations.filter(status__in=Registration.ACTIVE).select_related("user"):
            notify(recipient=registration.user, kind=kinds.EVENT_CANCELLED.key,
                   context=_context(event, reason=reason or "-"),
                   idempotency_key=f"events.cancelled:{registration.pk}:{event.sequence}",
                   link=event.get_absolute_url())
    return event


def series_generate_occurrences(*, series: EventSeries) -> list[Event]:
    """Create the series' weekly events from ``first_date`` to ``last_date`` (Seoul time).

    Idempotent: an occurrence that exists (same series and start) is kept as it is."""
    tz = timezone.get_current_timezone()
    day: date = series.first_date
    while day.weekday() != series.weekday:
        day += timedelta(days=1)
    events = []
    fields = {f.name: getattr(series, f.name) for f in EventSeries._meta.get_fields()
              if f.name in {g.name for g in Event._meta.get_fields()} and f.concrete
              and f.name not in ("id", "created_at", "is_public")}
    while day <= series.last_date:
        starts_at = timezone.make_aware(datetime.combine(day, series.start_time), tz)
        ends_at = starts_at + timedelta(minutes=series.duration_minutes)
        event, _created = Event.objects.get_or_create(
            series=series, starts_at=starts_at,
            defaults={
                **fields, "ends_at": ends_at, "is_public": series.is_public,
                "registration_opens_at": starts_at - timedelta(days=series.registration_opens_days_before),
                "registration_closes_at": starts_at - timedelta(hours=series.registration_closes_hours_before),
            },
        )
        events.append(event)
        day += timedelta(days=7)
    return events


# --- Registration ------------------------------------------------------------------------------

def _check_answers(event: Event, answers: dict[str, Any]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for question in event.questions or []:
        key = str(question.get("key", ""))
        if not key:
            continue
        value = str(answers.get(key, "") or "").strip()[:500]
        if question.get("required") and not value:
            raise ValidationError(_("‘%(label)s’ 질문에 답해 주세요.") % {"label": question.get("label_ko", key)})
        cleaned[key] = value
    return cleaned


def registration_create(
    *, event: Event, user, party_size: int = 1, answers: dict[str, Any] | None = None, now: datetime | None = None
) -> Registration:
    """Register ``user`` for ``event``: confirmed while places last, then waitlisted up to the limit.

    Takes a row lock on the event, so concurrent registrations are counted one after another:
    never more confirmed places than ``capacity``. Refused (``ValidationError``, nothing changes)
    for a cancelled or postponed event, outside the registration window, a second active
    registration, a party larger than allowed, unanswered required questions, or a full waitlist.
    """
    now = now or timezone.now()
    if not isinstance(party_size, int) or party_size < 1:
        raise ValidationError(_("신청 인원은 1명 이상이어야 합니다."))
    with transaction.atomic():
        event = _lock_event(event)
        if event.status == Event.Status.CANCELLED:
            raise ValidationError(_("취소된 행사에는 신청할 수 없습니다."))
        if event.status == Event.Status.POSTPONED:
            raise ValidationError(_("연기된 행사입니다. 새 일정이 정해지면 다시 신청해 주세요."))
        if not event.registration_required:
            raise ValidationError(_("이 행사는 신청 없이 누구나 참여할 수 있습니다."))
        if event.registration_opens_at and now < event.registration_opens_at:
            raise ValidationError(_("아직 신청 기간이 아닙니다. 신청은 %(when)s에 시작합니다.")
                                  % {"when": format_when(event.registration_opens_at)})
        if (event.registration_closes_at and now > event.registration_closes_at) or now >= event.starts_at:
            raise ValidationError(_("신청 기간이 끝났습니다."))
        if party_size > event.party_size_max:
            raise ValidationError(_("한 번에 %(n)s명까지 신청할 수 있습니다.") % {"n": event.party_size_max})
        if event.registrations.filter(user=user, status__in=Registration.ACTIVE).exists():
            raise ValidationError(_("이미 이 행사에 신청하셨습니다. 내 행사 신청에서 확인해 주세요."))
        cleaned = _check_answers(event, answers or {})

        if event.capacity is None or places_taken(event) + party_size <= event.capacity:
            status = Status.CONFIRMED
        elif places_waitlisted(event) + party_size <= event.waitlist_limit:
            status = Status.WAITLISTED
        elif event.waitlist_limit:
            raise ValidationError(_("정원과 대기 인원이 모두 찼습니다."))
        else:
            raise ValidationError(_("정원이 찼습니다."))
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    event=event, user=user, party_size=party_size, status=status, answers=cleaned,
                )
        except IntegrityError:
            # The partial unique index caught a second active registration the check above missed.
            raise ValidationError(_("이미 이 행사에 신청하셨습니다. 내 행사 신청에서 확인해 주세요.")) from None
        kind = kinds.REGISTRATION_CONFIRMED if status == Status.CONFIRMED else kinds.REGISTRATION_WAITLISTED
        context = _context(event, place=event.venue or "-") if status == Status.CONFIRMED else _context(event)
        notify(recipient=user, kind=kind.key, context=context,
               idempotency_key=f"events.registered:{registration.pk}", link=_my_link())
    return registration


def _offer_freed_places(event: Event, now: datetime) -> list[Registration]:
    """With the event row locked: offer free places to the waitlist in order of registration.

    The first waitlisted person whose party fits gets an offer held for ``offer_hold_hours``
    (with 0 hours the place is confirmed at once)."""
    offered = []
    if event.capacity is None or event.status != Event.Status.SCHEDULED:
        return offered
    free = event.capacity - places_taken(event)
    for registration in event.registrations.filter(status=Status.WAITLISTED).select_related("user").order_by(
        "created_at", "pk"
    ):
        if free <= 0:
            break
        if registration.party_size > free:
            continue
        free -= registration.party_size
        if event.offer_hold_hours:
            registration.status = Status.OFFERED
            registration.offer_expires_at = now + timedelta(hours=event.offer_hold_hours)
            registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
            notify(recipient=registration.user, kind=kinds.OFFER_MADE.key,
                   context=_context(event, expires=format_when(registration.offer_expires_at)),
                   idempotency_key=f"events.offer:{registration.pk}:{registration.offer_expires_at.isoformat()}",
                   link=_my_link())
        else:
            registration.status = Status.CONFIRMED
            registration.save(update_fields=["status", "updated_at"])
            notify(recipient=registration.user, kind=kinds.REGISTRATION_CONFIRMED.key,
                   context=_context(event, place=event.venue or "-"),
                   idempotency_key=f"events.promoted:{registration.pk}", link=_my_link())
        offered.append(registration)
    return offered


def registration_cancel(*, registration: Registration, now: datetime | None = None) -> Registration:
    """Cancel a registration (by the citizen, or by staff for them) and offer the freed place.

    Locks the event row. Attended and already-cancelled registrations cannot be cancelled."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Status.CANCELLED:
            raise ValidationError(_("이미 취소한 신청입니다."))
        if registration.status == Status.ATTENDED:
            raise ValidationError(_("참석이 확인된 신청은 취소할 수 없습니다."))
        if now >= event.ends_at:
            raise ValidationError(_("끝난 행사의 신청은 취소할 수 없습니다."))
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.offer_expires_at = None
        registration.save(update_fields=["status", "cancelled_at", "offer_expires_at", "updated_at"])
        _offer_freed_places(event, now)
    return registration


def offer_accept(*, registration: Registration, now: datetime | None = None) -> Registration:
    """Take an offered place: the registration becomes confirmed if the offer has not expired."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Status.OFFERED:
            raise ValidationError(_("수락할 수 있는 빈자리 제안이 없습니다."))
        if registration.offer_expires_at <= now:
            raise ValidationError(_("빈자리 제안 기간이 지났습니다."))
        registration.status = Status.CONFIRMED
        registration.offer_expires_at = None
        registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
        notify(recipient=registration.user, kind=kinds.REGISTRATION_CONFIRMED.key,
               context=_context(event, place=event.venue or "-"),
               idempotency_key=f"events.accepted:{registration.pk}", link=_my_link())
    return registration


def offers_expire(*, now: datetime | None = None) -> int:
    """Beat job: offers not taken in time lapse (the registration is cancelled, its owner told)
    and the place passes to the next on the waitlist. Returns how many offers lapsed."""
    now = now or timezone.now()
    event_ids = set(
        Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now).values_list("event_id", flat=True)
    )
    lapsed = 0
    for event_id in sorted(event_ids):
        with transaction.atomic():
            event = _lock_event(event_id)
            expired = list(event.registrations.select_related("user").filter(
                status=Status.OFFERED, offer_expires_at__lte=now))
            for registration in expired:
                registration.status = Status.CANCELLED
                registration.cancelled_at = now
                registration.offer_expires_at = None
                registration.save(update_fields=["status", "cancelled_at", "offer_expires_at", "updated_at"])
                notify(recipient=registration.user, kind=kinds.OFFER_EXPIRED.key, context=_context(event),
                       idempotency_key=f"events.offer_expired:{registration.pk}", link=event.get_absolute_url())
                lapsed += 1
            _offer_freed_places(event, now)
    return lapsed


# --- Reminders and feedback --------------------------------------------------------------------

def _remind(registrations, *, field: str, label: str, now: datetime) -> int:
    sent = 0
    for registration in registrations.select_related("event", "user"):
        with transaction.atomic():
            # Conditional UPDATE claims the reminder: a second (or concurrent) run finds it taken.
            claimed = Registration.objects.filter(pk=registration.pk, **{f"{field}__isnull": True}).update(
                **{field: now})
            if not claimed:
                continue
            event = registration.event
            notify(recipient=registration.user, kind=kinds.REMINDER.key,
                   context=_context(event, place=event.venue or "-"),
                   idempotency_key=f"events.reminder:{registration.pk}:{label}:{event.sequence}",
                   link=event.get_absolute_url())
            sent += 1
    return sent


def reminders_send(*, now: datetime | None = None) -> int:
    """Beat job: remind confirmed registrants the day before and two hours before the start.

    Each reminder is claimed with a conditional UPDATE and sent with an idempotency key, so a
    task that runs twice (or two workers at once) sends it once."""
    now = now or timezone.now()
    base = Registration.objects.filter(status=Status.CONFIRMED, event__status=Event.Status.SCHEDULED)
    sent = _remind(
        base.filter(event__starts_at__gt=now + TWO_HOURS, event__starts_at__lte=now + DAY_BEFORE,
                     reminded_day_before_at__isnull=True),
        field="reminded_day_before_at", label="day_before", now=now,
    )
    sent += _remind(
        base.filter(event__starts_at__gt=now, event__starts_at__lte=now + TWO_HOURS,
                     reminded_two_hours_at__isnull=True),
        field="reminded_two_hours_at", label="two_hours", now=now,
    )
    return sent


def feedback_requests_send(*, now: datetime | None = None) -> int:
    """Beat job: ask attendees of events that ended in the last three days for a rating.

    Attendees are the checked-in; for an event where nobody was checked in, the confirmed."""
    now = now or timezone.now()
    checked_in = Registration.objects.filter(event=OuterRef("event"), status=Status.ATTENDED)
    candidates = Registration.objects.annotate(has_checkins=Exists(checked_in)).filter(
        event__status=Event.Status.SCHEDULED, event__ends_at__lte=now, event__ends_at__gt=now - FEEDBACK_WITHIN,
        feedback_requested_at__isnull=True,
    ).filter(Q(status=Status.ATTENDED) | Q(status=Status.CONFIRMED, has_checkins=False))
    sent = 0
    for registration in candidates.select_related("event", "user"):
        with transaction.atomic():
            claimed = Registration.objects.filter(pk=registration.pk, feedback_requested_at__isnull=True).update(
                feedback_requested_at=now)
            if not claimed:
                continue
            notify(recipient=registration.user, kind=kinds.FEEDBACK_REQUEST.key,
                   context={"title": registration.event.title_ko},
                   idempotency_key=f"events.feedback:{registration.pk}",
                   link=reverse("events:feedback", args=[registration.pk]))
            sent += 1
    return sent


def feedback_submit(*, registration: Registration, rating: int, comment: str = "",
                    now: datetime | None = None) -> Feedback:
    """Record (or replace) the registrant's rating of 1–5 and comment after the event has started."""
    now = now or timezone.now()
    if registration.status not in (Status.ATTENDED, Status.CONFIRMED):
        raise ValidationError(_("참석한 행사에만 의견을 남길 수 있습니다."))
    if now < registration.event.starts_at:
        raise ValidationError(_("행사가 시작된 뒤에 의견을 남길 수 있습니다."))
    if rating not in range(1, 6):
        raise ValidationError(_("만족도는 1점부터 5점까지 고를 수 있습니다."))
    feedback, _created = Feedback.objects.update_or_create(
        registration=registration, defaults={"rating": rating, "comment": comment.strip()[:2000]},
    )
    return feedback


# --- Check-in and organiser messages -----------------------------------------------------------

def checkin(*, registration: Registration, now: datetime | None = None) -> tuple[Registration, bool]:
    """Mark a registrant as attended. Returns (registration, newly checked in).

    Checking in twice is harmless (returns False). Waitlisted or cancelled registrations are refused."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Status.ATTENDED:
            return registration, False
        if registration.status not in (Status.CONFIRMED, Status.OFFERED):
            raise ValidationError(_("확정된 신청이 아닙니다(%(status)s).")
                                  % {"status": registration.get_status_display()})
        registration.status = Status.ATTENDED
        registration.checked_in_at = now
        registration.offer_expires_at = None
        registration.save(update_fields=["status", "checked_in_at", "offer_expires_at", "updated_at"])
    return registration, True


def checkin_by_token(*, event: Event, token: str, now: datetime | None = None) -> tuple[Registration, bool]:
    """Check in the registration whose QR token was scanned; the token must belong to ``event``."""
    registration = Registration.objects.filter(event=event, token=token).first()
    if registration is None:
        raise ValidationError(_("이 행사의 신청 QR 코드가 아닙니다."))
    return checkin(registration=registration, now=now)


def registrants_message(*, event: Event, statuses: Iterable[str], text: str, sent_by=None) -> int:
    """Send the organiser's ``text`` to every registrant of ``event`` in ``statuses``. Returns the count."""
    statuses = [s for s in statuses if s in Status.values]
    text = text.strip()
    if not text:
        raise ValidationError(_("보낼 내용을 입력해 주세요."))
    count = 0
    with transaction.atomic():
        for registration in event.registrations.filter(status__in=statuses).select_related("user"):
            notify(recipient=registration.user, kind=kinds.ORGANISER_MESSAGE.key,
                   context={"title": event.title_ko, "text": text}, link=event.get_absolute_url())
            count += 1
    return count



# --- From the fair to the programs ------------------------------------------------------------

def program_interest_record(*, user, event: Event, now: datetime | None = None) -> list[ProgramInterest]:
    """Record ``user``'s interest in every published program linked to ``event`` (a booth's poster).

    Recording twice is harmless. A program already open for applications is marked as notified:
    the page the citizen is looking at already says so."""
    from programs.models import Program

    now = now or timezone.now()
    programs = list(event.programs.filter(status=Program.Status.PUBLISHED))
    if not programs:
        raise ValidationError(_("이 행사에 연결된 사업이 없습니다."))
    open_ids = set(Program.objects.filter(pk__in=[p.pk for p in programs]).open_now().values_list("pk", flat=True))
    interests = []
    with transaction.atomic():
        for program in programs:
            interest, _created = ProgramInterest.objects.get_or_create(
                user=user, program=program,
                defaults={"event": event, "notified_open_at": now if program.pk in open_ids else None},
            )
            interests.append(interest)
    return interests


def program_interest_remove(*, interest: ProgramInterest) -> None:
    interest.delete()


def program_interests_notify_open(*, now: datetime | None = None) -> int:
    """Beat job: tell each interested citizen, once, that a program they noted has opened for
    applications. Claimed with a conditional UPDATE and sent with an idempotency key."""
    from programs.models import Program

    now = now or timezone.now()
    open_programs = Program.objects.open_now(today=timezone.localdate(now)).values("pk")
    sent = 0
    pending = ProgramInterest.objects.filter(notified_open_at__isnull=True, program__in=open_programs)
    for interest in pending.select_related("user", "program"):
        with transaction.atomic():
            claimed = ProgramInterest.objects.filter(pk=interest.pk, notified_open_at__isnull=True).update(
                notified_open_at=now)
            if not claimed:
                continue
            notify(recipient=interest.user, kind=kinds.PROGRAM_OPEN.key,
                   context={"title": interest.program.title_ko},
                   idempotency_key=f"events.program_open:{interest.pk}", link=interest.program.get_absolute_url())
            sent += 1
    return sent
